"""REST views of accounts: API tokens for scripts, who am I, the people list (instructors)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from nnweb.accounts import selectors
from nnweb.accounts.lockout import lockout_message, retry_after_seconds
from nnweb.accounts.serializers import MeSerializer, PersonSerializer, TokenResponseSerializer
from nnweb.accounts.services import token_for
from nnweb.core.errors import LockedOut
from nnweb.core.permissions import IsInstructor, role_of
from nnweb.core.throttles import AuthRateThrottle


class TokenView(APIView):
    """Exchange a username and password for an API token (for scripts).

    Send it back as ``Authorization: Token <token>``.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        # django-axes refused to check the password (too many failures): say so, and when to
        # try again, rather than "unable to log in".
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(lockout_message(request), wait=retry_after_seconds(request))
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        return Response(
            {"token": token_for(user), "username": user.get_username(), "role": role_of(user)},
            status=status.HTTP_200_OK,
        )


class MeView(APIView):
    """Who the request is authenticated as, and the role."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        return Response(
            {
                "authenticated": bool(user and user.is_authenticated),
                "username": user.get_username() if user and user.is_authenticated else None,
                "role": role_of(user),
            }
        )


class PeopleView(ListAPIView):
    """Every account and its role (instructors only)."""

    permission_classes = [IsInstructor]
    serializer_class = PersonSerializer

    def get_queryset(self):
        return selectors.people()
