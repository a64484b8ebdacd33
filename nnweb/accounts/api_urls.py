"""REST API of the accounts app, mounted at /api/accounts/."""

from django.urls import path

from nnweb.accounts.views import MeView, PeopleView, TokenView

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-accounts-token"),
    path("me/", MeView.as_view(), name="api-accounts-me"),
    path("people/", PeopleView.as_view(), name="api-accounts-people"),
]
