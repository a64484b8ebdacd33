"""Service objects of the lessons app: views and consumers stay thin and call these."""
