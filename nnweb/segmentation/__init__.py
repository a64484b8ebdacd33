"""nnweb segmentation app."""
