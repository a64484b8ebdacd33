"""Sign-up form."""

from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    """Username + password twice; the new account is a student."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)
