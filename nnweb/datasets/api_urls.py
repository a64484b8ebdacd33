"""REST API of the datasets app, mounted at /api/datasets/."""

urlpatterns: list = []
