"""Safe by default: DEBUG off unless asked, a SECRET_KEY generated once into var/ (0600),
ALLOWED_HOSTS from a loopback HOST, and `check --deploy` clean once HTTPS is on."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_"))}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues(tmp_path):
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "nnweb.example.org",
            "HTTPS": "1",
            "NNWEB_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def settings_of(extra_env: dict, *names: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "HOST"}}
    env.update(extra_env)
    code = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{n}))" for n in names
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-len(names) :]


def test_debug_is_off_and_the_secret_key_is_generated_once(tmp_path):
    env = {"NNWEB_VAR_DIR": str(tmp_path)}
    debug, key = settings_of(env, "DEBUG", "SECRET_KEY")
    assert debug == "False"
    path = tmp_path / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert repr(path.read_text()) == key and len(eval(key)) >= 50
    assert settings_of(env, "SECRET_KEY") == [key]  # kept, not regenerated


def test_plain_http_on_loopback_needs_no_setting(tmp_path):
    hosts, redirect, secure = settings_of(
        {"NNWEB_VAR_DIR": str(tmp_path), "HOST": "127.0.0.1"},
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
    )
    assert "127.0.0.1" in hosts and redirect == secure == "False"


def test_another_host_needs_allowed_hosts(tmp_path):
    result = run_check({"HOST": "0.0.0.0", "NNWEB_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "HOST=0.0.0.0 is not a loopback address: set ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_is_named(tmp_path, value):
    result = run_check({"DEBUG": value, "NNWEB_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert f"DEBUG={value!r}" in result.stderr
