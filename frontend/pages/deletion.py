"""The delete action of the datasets and model-zoo pages: one class-based view.

A POST (the "Delete" button of a detail page) finds the object the user may see (else 404),
checks they may delete it (else 403 with the app's message), deletes it through the app's
service, flashes what was deleted and goes back to the list. A subclass says how for its app.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.views import View

from nnweb.core.view_helpers import require


class DeleteView(View):
    """POST only; subclasses fill in the hooks below."""

    http_method_names = ["post"]
    login_required = False  # True: anonymous visitors are sent to sign in first
    success_url_name = ""  # the list page to return to
    refusal = ""  # the 403 message for a user who sees the object but may not delete it

    def dispatch(self, request, *args, **kwargs) -> HttpResponse:
        # The method is checked first: a GET is a 405 for everyone, signed in or not.
        if request.method.lower() not in self.http_method_names:
            return HttpResponseNotAllowed(self._allowed_methods())
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        require(self.may_delete(obj), self.refusal)
        name = obj.name
        self.delete(obj)
        messages.success(request, self.deleted_message(name))
        return redirect(self.success_url_name)

    # Hooks ------------------------------------------------------------------------------
    def get_object(self, pk: int) -> Model:
        """The object ``pk`` if the user may see it, else Http404."""
        raise NotImplementedError

    def may_delete(self, obj: Model) -> bool:
        raise NotImplementedError

    def delete(self, obj: Model) -> None:
        raise NotImplementedError

    def deleted_message(self, name: str) -> str:
        raise NotImplementedError
