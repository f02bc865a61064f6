"""Leaving training: a whole segmentor to ONNX, and checkpoints made publishable."""
