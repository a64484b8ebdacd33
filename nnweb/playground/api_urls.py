"""REST API of the playground app, mounted at /api/playground/."""

urlpatterns: list = []
