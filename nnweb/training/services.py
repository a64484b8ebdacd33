"""Service objects of the training app: views and consumers stay thin and call these."""
