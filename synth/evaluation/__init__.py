"""Zero-shot benchmark evaluation: `synth eval CONFIG` runs a model and scores it two ways."""
