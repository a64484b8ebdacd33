"""Service objects of the datasets app: views and consumers stay thin and call these."""
