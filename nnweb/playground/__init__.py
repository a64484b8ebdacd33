"""nnweb playground app."""
