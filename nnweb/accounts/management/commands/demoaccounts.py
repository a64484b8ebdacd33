"""`python manage.py demoaccounts`: the demo accounts `student` and `instructor`.

Passwords are generated once and kept in <var>/demo-accounts.json, so every run prints the
same ones (and resets the accounts to them).
"""

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from nnweb.accounts.services import ensure_user, generate_password

DEMO_ACCOUNTS = (("student", False), ("instructor", True))


class Command(BaseCommand):
    help = "Create or reset the demo accounts `student` and `instructor` and print passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(Path(settings.VAR_DIR) / "demo-accounts.json"),
            help="Where the generated passwords are kept (default: var/demo-accounts.json).",
        )

    def handle(self, *args, file: str, **options):
        path = Path(file)
        passwords: dict[str, str] = {}
        if path.exists():
            try:
                passwords = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                passwords = {}
        changed = False
        for username, _ in DEMO_ACCOUNTS:
            if not isinstance(passwords.get(username), str) or not passwords[username]:
                passwords[username] = generate_password()
                changed = True
        if changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(passwords, indent=2), encoding="utf-8")
            os.chmod(tmp, 0o600)
            tmp.replace(path)
        for username, instructor in DEMO_ACCOUNTS:
            ensure_user(username, passwords[username], instructor=instructor)
        self.stdout.write("Demo accounts:")
        for username, instructor in DEMO_ACCOUNTS:
            role = "instructor" if instructor else "student"
            self.stdout.write(f"  {username:<11} password: {passwords[username]}   ({role})")
