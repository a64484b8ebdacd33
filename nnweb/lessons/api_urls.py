"""REST API of the lessons app, mounted at /api/lessons/."""

urlpatterns: list = []
