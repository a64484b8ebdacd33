"""DRF permission classes for instructor-only and owner-or-instructor access."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from nnweb.core.permissions import (
    IsInstructor,
    IsInstructorOrReadOnly,
    IsOwnerOrInstructor,
    is_instructor,
    role_of,
)

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()


def request_for(user, method="get"):
    request = getattr(factory, method)("/")
    request.user = user
    return request


def test_roles(student, instructor, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@example.org", "x-Pass-1234")
    assert role_of(AnonymousUser()) == "anonymous"
    assert role_of(student) == "student"
    assert role_of(instructor) == "instructor"
    assert is_instructor(admin)
    assert not is_instructor(None)


def test_is_instructor(student, instructor):
    perm = IsInstructor()
    assert not perm.has_permission(request_for(AnonymousUser()), None)
    assert not perm.has_permission(request_for(student), None)
    assert perm.has_permission(request_for(instructor), None)


def test_is_instructor_or_read_only(student, instructor):
    perm = IsInstructorOrReadOnly()
    assert perm.has_permission(request_for(student, "get"), None)
    assert not perm.has_permission(request_for(student, "post"), None)
    assert perm.has_permission(request_for(instructor, "post"), None)


def test_owner_or_instructor(student, other_student, instructor):
    perm = IsOwnerOrInstructor()
    mine = SimpleNamespace(owner=student)
    by_id = SimpleNamespace(owner=student.pk)
    view = SimpleNamespace()
    assert not perm.has_permission(request_for(AnonymousUser()), view)
    assert perm.has_permission(request_for(student), view)
    assert perm.has_object_permission(request_for(student), view, mine)
    assert perm.has_object_permission(request_for(student), view, by_id)
    assert not perm.has_object_permission(request_for(other_student), view, mine)
    assert perm.has_object_permission(request_for(instructor), view, mine)
    custom = SimpleNamespace(created_by=student)
    view = SimpleNamespace(owner_field="created_by")
    assert perm.has_object_permission(request_for(student), view, custom)
    assert not perm.has_object_permission(request_for(other_student), view, custom)
