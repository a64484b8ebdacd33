"""nnweb accounts app."""
