"""nnweb lessons app."""
