"""nnweb modelzoo app."""
