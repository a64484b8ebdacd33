"""Bodies of the accounts API: the token answer, who am I, one person of the people list.

The token request itself is DRF's AuthTokenSerializer (username and password)."""

from __future__ import annotations

from rest_framework import serializers

from nnweb.core.permissions import role_of


class TokenResponseSerializer(serializers.Serializer):
    """POST /api/accounts/token/: the key to send as ``Authorization: Token <token>``."""

    token = serializers.CharField()
    username = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """GET /api/accounts/me/: who the request is authenticated as."""

    authenticated = serializers.BooleanField()
    username = serializers.CharField(allow_null=True)
    role = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    """One account of GET /api/accounts/people/ (instructors only)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField()

    def get_role(self, user) -> str:
        return role_of(user)
