"""The Transformer from scratch: attention, the causal mask, the encoder block and the Vision Transformer."""
