"""nnweb core app."""
