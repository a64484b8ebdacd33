"""Service objects of the core app: views and consumers stay thin and call these."""
