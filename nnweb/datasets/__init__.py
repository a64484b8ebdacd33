"""nnweb datasets app."""
