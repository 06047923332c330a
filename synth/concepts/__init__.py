"""Concept graphs (MathScale, GSDP) and the concept combinations sampled from them."""
