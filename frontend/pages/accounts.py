"""Sign up, log in and log out (/accounts/...)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import path

from nnweb.accounts import selectors
from nnweb.accounts.forms import SignUpForm
from nnweb.accounts.services import create_student
from nnweb.core.decorators import instructor_required
from nnweb.core.permissions import role_of


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = create_student(form.cleaned_data["username"], form.cleaned_data["password1"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.get_username()}. You are signed up.")
            return redirect("home")
    else:
        form = SignUpForm()
    return render(request, "frontend/accounts/signup.html", {"form": form})


@instructor_required
def people(request):
    """Instructor page: every account and its role."""
    users = selectors.people()
    rows = [{"user": u, "role": role_of(u)} for u in users]
    return render(request, "frontend/accounts/people.html", {"rows": rows})


app_name = "accounts"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="frontend/accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/people/", people, name="people"),
]
