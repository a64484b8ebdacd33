"""Service objects of the segmentation app: views and consumers stay thin and call these."""
