"""REST API of the core app, mounted at /api/core/."""

urlpatterns: list = []
