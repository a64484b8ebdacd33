"""nnweb: learn how neural networks compute and learn, in the browser."""
