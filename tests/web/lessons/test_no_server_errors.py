"""No input reaches a 5xx: every argument of every light lesson endpoint, and the answer check,
fed values of the wrong type, shape or size."""

import pytest

BAD = [None, {}, [], "x", -1, 1e300, 10**400, [[1, "a"]], [[[[1]]]], True, {"a": 1}, [1, 2, 3]]


@pytest.mark.django_db
def test_bad_values_are_400s_never_500s(api_client):
    index = api_client.get("/api/lessons/").json()
    bad = []
    for name, meta in index.items():
        if name in ("sgd_compare", "lr_compare", "cnn_train"):
            continue
        for arg in meta["arguments"]:
            for v in BAD:
                r = api_client.post(f"/api/lessons/{name}/", {arg: v}, format="json")
                if r.status_code >= 500:
                    bad.append((name, arg, v, r.status_code))
    for body in [
        {"lesson": [], "question": {}, "answer": 3},
        {"lesson": "pooling", "question": "q1", "answer": None},
        [],
    ]:
        r = api_client.post("/api/lessons/check/", body, format="json")
        if r.status_code >= 500:
            bad.append(("check", body))
    assert not bad, bad
