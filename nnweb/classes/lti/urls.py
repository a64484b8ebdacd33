"""LTI 1.3 endpoints (register these in the LMS; see README "LTI 1.3"):

/lti/login/        OIDC login initiation URL
/lti/launch/       target link / redirect URL (resource and deep linking launches)
/lti/jwks/         the tool's public keys (JWKS URL)
/lti/deep-link/    the instructor's picker after a deep linking launch
"""

from django.urls import path
from lti_tool.views import OIDCLoginInitView, jwks

from .deep_linking import DeepLinkView
from .launch import LaunchView

app_name = "lti"

urlpatterns = [
    path("lti/login/", OIDCLoginInitView.as_view(), name="login"),
    path("lti/launch/", LaunchView.as_view(), name="launch"),
    path("lti/jwks/", jwks, name="jwks"),
    path("lti/deep-link/", DeepLinkView.as_view(), name="deep-link"),
]
