"""`python manage.py createinstructor USERNAME [--password P]`: make an instructor account."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from nnweb.accounts.services import create_or_update_instructor, generate_password


class Command(BaseCommand):
    help = (
        "Create an instructor account (or make an existing user an instructor and reset "
        "its password). Prints the password when it was generated."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password", help="Password to set (default: generate one and print it)."
        )

    def handle(self, *args, username: str, password: str | None = None, **options):
        username = username.strip()
        if not username:
            raise CommandError("USERNAME must not be empty.")
        generated = password is None
        if generated:
            password = generate_password()
        try:
            user, created = create_or_update_instructor(username, password)
        except ValidationError as exc:
            raise CommandError(f"Invalid username {username!r}: {'; '.join(exc.messages)}") from exc
        action = "Created" if created else "Updated"
        self.stdout.write(f"{action} instructor {user.get_username()!r}.")
        if generated:
            self.stdout.write(f"Password: {password}")
