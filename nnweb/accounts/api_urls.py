"""REST API of the accounts app, mounted at /api/accounts/."""

urlpatterns: list = []
