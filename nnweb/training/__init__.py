"""nnweb training app."""
