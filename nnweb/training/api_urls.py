"""REST API of the training app, mounted at /api/training/."""

urlpatterns: list = []
