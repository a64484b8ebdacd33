"""Service objects of the modelzoo app: views and consumers stay thin and call these."""
