"""LTI 1.3 against a simulated platform on loopback: OIDC login, launches verified against the
platform's JWKS, roles mapped, deep linking, scores posted to AGS; bad launches refused."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from lti_tool.models import Key, LtiDeployment, LtiRegistration, LtiUser

from nnweb.classes import playground_api as playground
from nnweb.classes import services
from nnweb.classes.models import Class

from .conftest import XOR_GOAL, open_session
from .lti_platform import INSTRUCTOR, LEARNER, Platform, new_sub

CLIENT_ID = "nnweb-client-1"
DEPLOYMENT = "deployment-1"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platform():
    p = Platform()
    yield p
    p.close()


@pytest.fixture
def registration(platform):
    Key.objects.generate()
    reg = LtiRegistration.objects.create(
        name="Simulated LMS",
        issuer=platform.issuer,
        client_id=CLIENT_ID,
        auth_url=f"{platform.url}/auth",
        token_url=f"{platform.url}/token",
        keyset_url=f"{platform.url}/jwks",
    )
    LtiDeployment.objects.create(registration=reg, deployment_id=DEPLOYMENT, is_active=True)
    return reg


def _login(client: Client, platform, iss=None) -> tuple[str, str]:
    """OIDC login initiation; returns the (state, nonce) the tool sent to the platform."""
    resp = client.get(
        "/lti/login/",
        {
            "iss": iss or platform.issuer,
            "login_hint": "hint",
            "target_link_uri": "http://testserver/lti/launch/",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT,
            "lti1p3_new_window": "1",
        },
    )
    assert resp.status_code == 302, resp.content[:300]
    url = urlparse(resp["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{platform.url}/auth"
    q = parse_qs(url.query)
    assert q["redirect_uri"] == ["http://testserver/lti/launch/"]
    return q["state"][0], q["nonce"][0]


def _launch(client, platform, sub, roles, **token_args):
    state, nonce = _login(client, platform)
    nonce = token_args.pop("nonce", nonce)
    token = platform.id_token(
        client_id=CLIENT_ID,
        deployment_id=token_args.pop("deployment_id", DEPLOYMENT),
        nonce=nonce,
        sub=sub,
        roles=roles,
        **token_args,
    )
    return client.post("/lti/launch/", {"id_token": token, "state": state}), token, state


def _counts():
    return (get_user_model().objects.count(), Class.objects.count(), LtiUser.objects.count())


def test_instructor_then_learner_launch_map_roles(platform, registration):
    teacher = Client()
    resp, _, _ = _launch(teacher, platform, "t-1", [INSTRUCTOR])
    klass = Class.objects.get(name="Neural networks 101")
    assert resp.status_code == 302 and resp["Location"] == f"/classes/{klass.pk}/"
    t_user = LtiUser.objects.get(sub="t-1").auth_user
    assert klass.instructors.filter(pk=t_user.pk).exists()
    assert teacher.get(f"/api/classes/{klass.pk}/gradebook/").status_code == 200
    # the same instructor again: same user, same class
    _launch(Client(), platform, "t-1", [INSTRUCTOR])
    assert Class.objects.count() == 1 and klass.instructors.count() == 1
    learner = Client()
    resp, _, _ = _launch(learner, platform, "s-1", [LEARNER])
    s_user = LtiUser.objects.get(sub="s-1").auth_user
    assert klass.students.filter(pk=s_user.pk).exists()
    assert learner.get(f"/api/classes/{klass.pk}/gradebook/").status_code == 403
    assert learner.get(f"/api/classes/{klass.pk}/me/").status_code == 200


def test_learner_before_any_instructor_is_told_what_to_do(platform, registration):
    before = _counts()
    resp, _, _ = _launch(Client(), platform, "s-9", [LEARNER])
    assert resp.status_code == 403
    assert "instructor has not opened nnweb" in resp.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    "case",
    ["wrong signature", "expired", "replayed nonce", "unknown issuer", "unknown deployment"],
)
def test_bad_launches_are_refused_and_create_nothing(case, platform, registration):
    client = Client()
    if case == "replayed nonce":
        ok, token, _ = _launch(client, platform, "t-1", [INSTRUCTOR])
        assert ok.status_code == 302
        before = _counts()
        state, _nonce = _login(client, platform)
        resp = client.post("/lti/launch/", {"id_token": token, "state": state})
    else:
        before = _counts()
        args = {
            "wrong signature": {"key": platform.other_key()},
            "expired": {"expires_in": -600},
            "unknown deployment": {"deployment_id": "deployment-unknown"},
            "unknown issuer": {"issuer": "https://lms.unknown.example"},
        }[case]
        resp, _, _ = _launch(client, platform, new_sub(), [INSTRUCTOR], **args)
    assert resp.status_code in (400, 403), (case, resp.content[:300])
    text = resp.content.decode()
    assert "refused" in text.lower()
    expected = {
        "wrong signature": "signature",
        "expired": "expired",
        "replayed nonce": "nonce",
        "unknown issuer": "registration",
        "unknown deployment": "deployment-unknown",
    }[case]
    assert expected.lower() in text.lower(), (case, text[-600:])
    assert _counts() == before
    if case == "unknown deployment":
        assert not LtiDeployment.objects.filter(deployment_id="deployment-unknown").exists()


def test_deep_linking_returns_a_signed_response_with_the_chosen_item(platform, registration):
    teacher = Client()
    _launch(teacher, platform, "t-1", [INSTRUCTOR])
    klass = Class.objects.get()
    t_user = klass.instructors.get()
    a = services.create_assignment(
        klass,
        t_user,
        {
            "title": "XOR",
            "kind": "challenge",
            "due": timezone.now() + timedelta(1),
            "goal": XOR_GOAL,
        },
    )
    return_url = f"{platform.url}/deep-link-return"
    settings_claim = {
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
            "deep_link_return_url": return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-42",
        }
    }
    resp, _, _ = _launch(
        teacher, platform, "t-1", [INSTRUCTOR], message_type="LtiDeepLinkingRequest",
        extra=settings_claim,
    )  # fmt: skip
    assert resp.status_code == 302 and resp["Location"] == "/lti/deep-link/"
    page = teacher.get("/lti/deep-link/").content.decode()
    assert f'value="assignment:{a.pk}"' in page and 'value="lesson:sgd"' in page
    form = teacher.post("/lti/deep-link/", {"item": f"assignment:{a.pk}"}).content.decode()
    assert return_url in form
    token = form.split('name="JWT" value="')[1].split('"')[0]
    jwks = Client().get("/lti/jwks/").json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=platform.issuer)
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["title"] == "XOR" and items[0]["custom"] == {"assignment": str(a.pk)}
    assert items[0]["lineItem"]["scoreMaximum"] == 1
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"


def test_completing_an_assignment_posts_the_score(platform, registration):
    teacher = Client()
    _launch(teacher, platform, "t-1", [INSTRUCTOR])
    klass = Class.objects.get()
    a = services.create_assignment(
        klass,
        klass.instructors.get(),
        {
            "title": "XOR",
            "kind": "challenge",
            "due": timezone.now() + timedelta(1),
            "goal": XOR_GOAL,
        },
    )
    learner = Client()
    resp, _, _ = _launch(learner, platform, "s-1", [LEARNER], custom={"assignment": str(a.pk)})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.lti_lineitem == platform.lineitem
    student = LtiUser.objects.get(sub="s-1").auth_user
    session = open_session(student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    for _ in range(40):
        playground.act(session, {"action": "epoch"})
    url = f"/api/classes/{klass.pk}/assignments/{a.pk}/submit/"
    body = learner.post(url, {"session": session.id}, content_type="application/json").json()
    assert body["passed"] is True
    assert len(platform.scores) == 1
    got = platform.scores[0]
    assert got["auth"] == "Bearer tok-1"
    assert got["score"]["userId"] == "s-1" and got["score"]["scoreGiven"] == 1.0
    assert got["score"]["activityProgress"] == "Completed"
    # passing again posts nothing more
    learner.post(url, {"session": session.id}, content_type="application/json")
    assert len(platform.scores) == 1
