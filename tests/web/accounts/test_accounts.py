"""Sign up, log in, log out, API tokens, createinstructor, and role checks."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from nnweb.core.permissions import is_instructor, role_of
from tests.web.api_errors import error_detail

pytestmark = pytest.mark.django_db


def test_signup_makes_a_logged_in_student(anon_client):
    response = anon_client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert list(user.groups.values_list("name", flat=True)) == ["student"]
    assert role_of(user) == "student"
    home = anon_client.get("/").content.decode()
    assert "newbie" in home and "(student)" in home


def test_signup_errors_are_shown(anon_client):
    response = anon_client.post(
        "/accounts/signup/", {"username": "x", "password1": "abc", "password2": "abd"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not get_user_model().objects.filter(username="x").exists()


def test_login_and_logout(anon_client, student, password):
    response = anon_client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302
    assert "alice" in anon_client.get("/").content.decode()
    response = anon_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "Log in" in anon_client.get("/").content.decode()


def test_login_with_wrong_password(anon_client, student):
    response = anon_client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_token_endpoint(api_client, student, password):
    response = api_client.post(
        "/api/accounts/token/", {"username": "alice", "password": password}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice" and body["role"] == "student"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = api_client.get("/api/accounts/me/").json()
    assert me == {"authenticated": True, "username": "alice", "role": "student"}


def test_token_endpoint_rejects_bad_credentials(api_client, student):
    response = api_client.post(
        "/api/accounts/token/", {"username": "alice", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400


def test_token_client_fixture(token_api_client):
    assert token_api_client.get("/api/accounts/me/").json()["username"] == "alice"


def test_me_for_anonymous(api_client):
    assert api_client.get("/api/accounts/me/").json() == {
        "authenticated": False,
        "username": None,
        "role": "anonymous",
    }


def test_instructor_only_api(api_client, student_api, instructor_api):
    assert api_client.get("/api/accounts/people/").status_code in (401, 403)
    response = student_api.get("/api/accounts/people/")
    assert response.status_code == 403
    assert error_detail(response) == "Only instructors may do this."
    response = instructor_api.get("/api/accounts/people/")
    assert response.status_code == 200
    roles = {p["username"]: p["role"] for p in response.json()}
    assert roles == {"alice": "student", "irene": "instructor"}


def test_instructor_only_page(anon_client, student_client, instructor_client):
    response = anon_client.get("/accounts/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = student_client.get("/accounts/people/")
    assert response.status_code == 403
    assert "This page is for instructors." in response.content.decode()
    response = instructor_client.get("/accounts/people/")
    assert response.status_code == 200
    assert "irene" in response.content.decode()


def test_createinstructor_generates_and_prints_password(capsys):
    call_command("createinstructor", "prof")
    out = capsys.readouterr().out
    assert "Created instructor 'prof'." in out
    password = out.split("Password: ")[1].strip()
    user = get_user_model().objects.get(username="prof")
    assert user.check_password(password)
    assert is_instructor(user)


def test_createinstructor_with_password_promotes_existing_student(student, capsys):
    call_command("createinstructor", "alice", "--password", "given-Pass-987")
    out = capsys.readouterr().out
    assert "Updated instructor 'alice'." in out and "Password" not in out
    student.refresh_from_db()
    assert student.check_password("given-Pass-987")
    assert role_of(get_user_model().objects.get(pk=student.pk)) == "instructor"


def test_createinstructor_rejects_bad_username():
    with pytest.raises(CommandError, match="Invalid username"):
        call_command("createinstructor", "no spaces allowed")


def test_demoaccounts_are_stable(tmp_path, capsys):
    path = tmp_path / "demo.json"
    call_command("demoaccounts", "--file", str(path))
    first = capsys.readouterr().out
    call_command("demoaccounts", "--file", str(path))
    second = capsys.readouterr().out
    assert first == second
    assert "student" in first and "instructor" in first
    users = get_user_model().objects
    assert role_of(users.get(username="instructor")) == "instructor"
    assert role_of(users.get(username="student")) == "student"


def test_groups_exist_after_migrate():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"student", "instructor"}
