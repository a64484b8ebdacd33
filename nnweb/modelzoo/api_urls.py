"""REST API of the modelzoo app, mounted at /api/modelzoo/."""

urlpatterns: list = []
