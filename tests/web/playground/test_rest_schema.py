"""The playground's REST responses match what the schema documents for each endpoint.

Real responses of every playground view, for a classification and two regression sessions and
every kind of action reply (state, stage, metrics, gradcheck, frame, saved), are validated
against the response schema the OpenAPI document gives that operation and status, so the
documentation (and the front end's types generated from it) cannot drift from what is sent.
"""

from __future__ import annotations

import jsonschema
import pytest

from nnweb.playground import frames
from tests.web.schema_checks import check_response

pytestmark = pytest.mark.django_db

SESSIONS = "/api/playground/sessions/"
SESSION = "/api/playground/sessions/{session_id}/"
ACTIONS = "/api/playground/sessions/{session_id}/actions/"

CONFIGS = {
    "classification": {"dataset": "xor", "hidden": [3], "seed": 1},
    "regression": {"dataset": "plane", "problem": "regression", "hidden": [3], "seed": 3},
    "curve": {  # 1-D regression: its frames carry the fitted curve
        "dataset": "sine",
        "problem": "regression",
        "hidden": [4, 2],
        "activations": ["tanh", "relu"],
        "seed": 2,
    },
}


def documented(schema, client, method: str, template: str, status: int, body=None, **path):
    """Call the endpoint, check the status and the body against the schema; the body."""
    url = template.format(**path)
    r = getattr(client, method)(url, body, format="json") if body is not None else None
    if r is None:
        r = getattr(client, method)(url)
    assert r.status_code == status, (url, r.status_code, r.content[:300])
    data = frames.loads(r.content)
    check_response(schema, method, template, status, data)
    return data


# Every action, in an order where each is allowed, with the reply type it must give.
ACTION_REPLIES = [
    ({"action": "state"}, "state"),
    ({"action": "forward", "sample": 0}, "stage"),
    ({"action": "next"}, "stage"),
    ({"action": "select", "samples": [0, 1, 2]}, "stage"),
    ({"action": "forward"}, "stage"),
    ({"action": "step"}, "stage"),
    ({"action": "batch"}, "stage"),
    ({"action": "set_param", "name": "W1", "index": [0, 0], "value": 0.5}, "stage"),
    ({"action": "gradcheck"}, "gradcheck"),
    ({"action": "epoch"}, "metrics"),
    ({"action": "frame"}, "frame"),
    ({"action": "play"}, "frame"),  # over REST, play trains one frame's worth
    ({"action": "pause"}, "metrics"),
    ({"action": "add_point", "point": [0.1, 0.2, 1]}, "state"),
    ({"action": "remove_point", "index": 0}, "state"),
    ({"action": "configure", "config": {"lr": 0.05}}, "state"),
    ({"action": "reset"}, "state"),
    ({"action": "save", "name": "kept"}, "saved"),
]


@pytest.mark.parametrize("problem", list(CONFIGS))
def test_sessions_and_every_action_reply_as_documented(api_schema, student_api, problem):
    st = documented(api_schema, student_api, "post", SESSIONS, 201, {"config": CONFIGS[problem]})
    assert st["type"] == "state" and st["data"]["problem"] == CONFIGS[problem].get(
        "problem", "classification"
    )
    sid = st["session"]
    documented(api_schema, student_api, "get", SESSION, 200, session_id=sid)
    L = len(CONFIGS[problem]["hidden"]) + 1
    for stage in ["forward"] * L + ["backward"] * L + ["update"]:  # the notes' passes by hand
        body = documented(
            api_schema, student_api, "post", ACTIONS, 200, {"action": stage}, session_id=sid
        )
        assert body["type"] == "stage" and body["phase"] in ("forward", "backward", "updated")
    seen = set()
    for msg, kind in ACTION_REPLIES:
        if problem == "curve" and msg["action"] == "add_point":
            continue  # points are added by hand to 2-D data only
        body = documented(api_schema, student_api, "post", ACTIONS, 200, msg, session_id=sid)
        assert body["type"] == kind, (msg, body.get("type"))
        seen.add(kind)
    assert seen == {"state", "stage", "metrics", "gradcheck", "frame", "saved"}


def test_a_reply_of_the_wrong_shape_is_refused(api_schema, api_client):
    r = api_client.post(SESSIONS, {"config": CONFIGS["classification"]}, format="json")
    sid = frames.loads(r.content)["session"]
    r = api_client.post(ACTIONS.format(session_id=sid), {"action": "epoch"}, format="json")
    body = frames.loads(r.content)
    body["history"] = "none"
    with pytest.raises(jsonschema.ValidationError):
        check_response(api_schema, "post", ACTIONS, 200, body)


@pytest.mark.parametrize("who", ["api_client", "student_api"])
def test_options_as_documented(api_schema, request, who):
    body = documented(
        api_schema, request.getfixturevalue(who), "get", "/api/playground/options/", 200
    )
    assert body["limits"]["max_layers"] >= 1 and body["defaults"]["dataset"]


def test_experiments_as_documented(api_schema, student_api, api_client):
    assert documented(api_schema, api_client, "get", "/api/playground/experiments/", 200) == {
        "experiments": []
    }
    st = frames.loads(student_api.post(SESSIONS, {"config": {}}, format="json").content)
    student_api.post(ACTIONS.format(session_id=st["session"]), {"action": "batch"}, format="json")
    saved = documented(
        api_schema,
        student_api,
        "post",
        "/api/playground/experiments/",
        201,
        {"session": st["session"], "name": "first"},
    )
    listing = documented(api_schema, student_api, "get", "/api/playground/experiments/", 200)
    assert [e["name"] for e in listing["experiments"]] == ["first"]
    detail = documented(
        api_schema,
        student_api,
        "get",
        "/api/playground/experiments/{id}/",
        200,
        id=saved["experiment"]["id"],
    )
    assert detail["network"]["layers"] and len(detail["history"]) == 1


def test_classroom_links_as_documented(api_schema, instructor_api, api_client):
    assert documented(api_schema, api_client, "get", "/api/playground/classroom-links/", 200) == {
        "links": []
    }
    link = documented(
        api_schema,
        instructor_api,
        "post",
        "/api/playground/classroom-links/",
        201,
        {"config": {"dataset": "spiral"}, "hide": ["lr"], "title": "Lab"},
    )
    listing = documented(api_schema, instructor_api, "get", "/api/playground/classroom-links/", 200)
    assert [k["token"] for k in listing["links"]] == [link["token"]]
    path = "/api/playground/classroom-links/{token}/"
    assert documented(api_schema, api_client, "get", path, 200, token=link["token"])["hide"] == [
        "lr"
    ]
