"""Benchmark test sets: decontamination references and `synth eval` targets."""
