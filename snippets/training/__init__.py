"""A minimal PyTorch training loop on a generated image dataset, small enough to read and run in seconds."""
