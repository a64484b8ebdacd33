"""The playground's REST resource: the same actions as the socket, experiments, classroom links,
limits; and one configuration checked against PyTorch (float64)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from rest_framework.test import APIClient

from nnweb.playground import frames, store
from nnweb.playground.session import PlaygroundSession

from .conftest import arr, attr_of, code_of, detail_of

pytestmark = pytest.mark.django_db


def create(client: APIClient, config: dict | None = None, **extra):
    r = client.post("/api/playground/sessions/", {"config": config or {}, **extra}, format="json")
    return r, frames.loads(r.content)


def act(client: APIClient, sid: str, msg: dict):
    r = client.post(f"/api/playground/sessions/{sid}/actions/", msg, format="json")
    return r.status_code, frames.loads(r.content)


def test_options_list_toys_features_and_limits(api_client):
    r = api_client.get("/api/playground/options/")
    body = frames.loads(r.content)
    assert r.status_code == 200
    assert "xor" in [d["name"] for d in body["datasets"]]
    assert [f["name"] for f in body["features"]][:2] == ["x1", "x2"]
    assert body["limits"]["max_layers"] == 6 and body["limits"]["max_width"] == 16


def test_every_action_over_rest(api_client):
    r, st = create(
        api_client, {"dataset": "circle", "hidden": [3], "features": ["x1", "x2", "x1^2"]}
    )
    assert r.status_code == 201 and st["network"]["sizes"] == [3, 3, 2]
    sid = st["session"]
    assert api_client.get(f"/api/playground/sessions/{sid}/").status_code == 200
    for action in ("forward", "forward", "backward", "backward", "update"):
        code, body = act(api_client, sid, {"action": action, "id": action})
        assert code == 200 and body["id"] == action
    s = store.local.get(sid)
    assert body["iteration"] == 1 == s.iteration
    code, body = act(api_client, sid, {"action": "step", "sample": 2})
    assert code == 200 and body["phase"] == "updated"
    code, body = act(api_client, sid, {"action": "batch"})
    assert code == 200 and body["per_sample"]["W1"] and body["mean"]["W1"]
    code, body = act(api_client, sid, {"action": "epoch"})
    assert code == 200 and body["type"] == "metrics"
    code, body = act(api_client, sid, {"action": "play"})
    assert code == 200 and body["type"] == "frame" and body["playing"] is True
    arrays = frames.decode_arrays_b64(body["arrays"])
    assert arrays["out"].shape == (2, 64, 64)
    code, body = act(api_client, sid, {"action": "pause"})
    assert body["playing"] is False
    code, body = act(
        api_client, sid, {"action": "set_param", "name": "b2", "index": [1], "value": -2}
    )
    assert code == 200 and body["params"]["b2"][1] == -2
    code, body = act(api_client, sid, {"action": "gradcheck"})
    assert code == 200 and body["ok"]
    code, body = act(api_client, sid, {"action": "frame"})
    assert code == 200 and "out" in body["arrays"]
    code, body = act(api_client, sid, {"action": "add_point", "point": [0.1, 0.1, 0]})
    assert code == 200 and body["config"]["added"] == [[0.1, 0.1, 0.0]]
    code, body = act(api_client, sid, {"action": "remove_point", "index": 3})
    assert code == 200 and body["config"]["removed"] == [3]
    code, body = act(api_client, sid, {"action": "configure", "config": {"momentum": 0.5}})
    assert code == 200 and body["config"]["momentum"] == 0.5
    code, body = act(api_client, sid, {"action": "reset"})
    assert code == 200 and body["iteration"] == 0
    assert api_client.delete(f"/api/playground/sessions/{sid}/").status_code == 204
    assert api_client.get(f"/api/playground/sessions/{sid}/").status_code == 404


def test_rest_numbers_equal_the_websocket_service(api_client):
    _, st = create(api_client, {"hidden": [4], "seed": 9})
    sid = st["session"]
    _, fw = act(api_client, sid, {"action": "step", "sample": 1})
    s = store.local.get(sid)
    from engine import Sequential

    net = Sequential.from_spec(s.net.spec())
    net.set_params({k: arr(v) for k, v in fw["trace_params"].items()})
    tr = net.trace(s.A_train[[1]], s.y_train[[1]])
    for lt, got in zip(tr.layers, fw["layers"]):
        assert np.array_equal(arr(got["u"]), lt.u) and np.array_equal(arr(got["delta"]), lt.delta)


def test_limits_and_refusals_are_clear(api_client, student_api):
    r, body = create(api_client, {"hidden": [8] * 7})
    assert r.status_code == 400 and attr_of(body) == "config.hidden"
    assert "at most 6 hidden layers for visitors who are not signed in" in detail_of(body)
    r, body = create(api_client, {"hidden": [17]})
    assert r.status_code == 400 and attr_of(body) == "config.hidden.0"
    r, body = create(student_api, {"hidden": [64] * 8})
    assert r.status_code == 201
    r, body = create(student_api, {"hidden": [65]})
    assert r.status_code == 400 and attr_of(body) == "config.hidden.0"
    r, body = create(student_api, {"hidden": [4] * 9})
    assert r.status_code == 400 and "at most 8 hidden layers" in detail_of(body)
    r, body = create(api_client, {"lr": -1})
    assert r.status_code == 400 and attr_of(body) == "config.lr"
    r, body = create(api_client, {"activations": ["tanh", "swish"], "hidden": [2, 2]})
    assert attr_of(body) == "config.activations.1" and "swish" in detail_of(body)
    r, body = create(api_client, {"dataset": "nope"})
    assert attr_of(body) == "config.dataset" and "xor" in detail_of(body)
    r, body = create(api_client, {"color": "red"})
    assert attr_of(body) == "config.color" and "unknown setting" in detail_of(body)
    r, body = create(api_client, {"speed": 21})
    assert attr_of(body) == "config.speed"


def test_rest_rate_limit(api_client, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MESSAGES_PER_SECOND": 3}
    _, st = create(api_client)
    codes = [act(api_client, st["session"], {"action": "state"})[0] for _ in range(15)]
    assert 429 in codes
    code, body = act(api_client, st["session"], {"action": "state"})
    if code == 429:  # a DRF throttle: the API's one error shape (nnweb.core.errors)
        assert "at most 3 actions per second" in body["errors"][0]["detail"]
    # the count lives in the cache, so a session taken over by another process keeps it
    from django.core.cache import cache

    from nnweb.playground.throttles import KEY

    keys = [KEY.format(session=st["session"], second=int(time.time()) - k) for k in (0, 1)]
    assert any((cache.get(k) or 0) >= 3 for k in keys)


def test_sessions_of_a_user_are_private(student_api, api_client):
    _, st = create(student_api, {"hidden": [2]})
    assert api_client.get(f"/api/playground/sessions/{st['session']}/").status_code == 403
    code, _ = act(api_client, st["session"], {"action": "forward"})
    assert code == 403


def test_experiments_save_list_reopen_delete(student_api, api_client, other_student):
    _, st = create(student_api, {"hidden": [5], "lr": 0.3})
    sid = st["session"]
    for _ in range(3):
        act(student_api, sid, {"action": "batch"})
    code, saved = act(student_api, sid, {"action": "save", "name": "my xor"})
    assert code == 200 and saved["experiment"]["name"] == "my xor"
    eid = saved["experiment"]["id"]
    r = student_api.post(
        "/api/playground/experiments/", {"session": sid, "name": "second"}, format="json"
    )
    assert r.status_code == 201
    listing = frames.loads(student_api.get("/api/playground/experiments/").content)
    assert [e["name"] for e in listing["experiments"]] == ["second", "my xor"]
    s = store.local.get(sid)
    r, reopened = create(student_api, experiment=eid)
    assert r.status_code == 201 and reopened["session"] != sid
    assert reopened["iteration"] == 3 and len(reopened["history"]) == 3
    for k, v in s.net.get_params().items():
        assert np.array_equal(arr(reopened["params"][k]), v)
    assert reopened["config"]["lr"] == 0.3
    # others see nothing
    other = APIClient()
    other.force_authenticate(other_student)
    assert other.get(f"/api/playground/experiments/{eid}/").status_code == 404
    assert other.delete(f"/api/playground/experiments/{eid}/").status_code == 404
    code, body = act(
        api_client,
        store.save(PlaygroundSession.create({})).id,
        {"action": "save", "name": "x"},
    )
    assert code == 403 and "sign in" in detail_of(body)
    assert student_api.delete(f"/api/playground/experiments/{eid}/").status_code == 204
    assert student_api.get(f"/api/playground/experiments/{eid}/").status_code == 404


def test_classroom_links(instructor_api, student_api, api_client):
    body = {
        "config": {"dataset": "spiral", "hidden": [6, 6]},
        "hide": ["lr", "hidden"],
        "title": "Lab 2",
    }
    r = student_api.post("/api/playground/classroom-links/", body, format="json")
    assert r.status_code == 403
    r = instructor_api.post("/api/playground/classroom-links/", body, format="json")
    assert r.status_code == 201
    link = frames.loads(r.content)
    assert link["hide"] == ["hidden", "lr"] and link["url"].startswith("/playground/c/")
    pub = frames.loads(api_client.get(f"/api/playground/classroom-links/{link['token']}/").content)
    assert pub["config"]["hidden"] == [6, 6]
    r = instructor_api.post(
        "/api/playground/classroom-links/", {**body, "hide": ["warp"]}, format="json"
    )
    assert r.status_code == 400 and "unknown control 'warp'" in detail_of(frames.loads(r.content))
    page = api_client.get(link["url"])
    assert page.status_code == 200


def test_one_configuration_against_torch(api_client):
    torch = pytest.importorskip("torch")
    cfg = {
        "dataset": "xor",
        "hidden": [3, 4],
        "activations": ["tanh", "sigmoid"],
        "seed": 5,
        "batch_size": 8,
        "lr": 0.2,
        "momentum": 0.0,
    }
    _, st = create(api_client, cfg)
    sid = st["session"]
    s = store.local.get(sid)
    before = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for k, v in s.net.get_params().items()
    }
    _, bt = act(api_client, sid, {"action": "batch"})
    idx = bt["selection"]["indices"]
    x = torch.tensor(s.A_train[idx], dtype=torch.float64)
    t = torch.tensor(s.y_train[idx])
    h1 = torch.tanh(x @ before["W1"].T + before["b1"])
    h2 = torch.sigmoid(h1 @ before["W2"].T + before["b2"])
    logits = h2 @ before["W3"].T + before["b3"]
    loss = torch.nn.functional.cross_entropy(logits, t)
    loss.backward()
    assert abs(bt["loss"] - loss.item()) < 1e-12
    assert np.allclose(arr(bt["layers"][0]["a"]), h1.detach().numpy(), atol=1e-14)
    for i, name in enumerate(["W1", "W2", "W3"]):
        g = before[name].grad.numpy()
        assert np.allclose(arr(bt["mean"][name]), g, atol=1e-13)
        assert np.allclose(arr(bt["layers"][i]["dE_dW"]), g, atol=1e-13)
        assert np.allclose(arr(bt["update"][name]), -0.2 * g, atol=1e-13)
    # per-sample gradients: torch on each sample alone
    n0 = {k: v.detach().clone().requires_grad_(True) for k, v in before.items()}
    h = torch.sigmoid(torch.tanh(x[:1] @ n0["W1"].T + n0["b1"]) @ n0["W2"].T + n0["b2"])
    torch.nn.functional.cross_entropy(h @ n0["W3"].T + n0["b3"], t[:1]).backward()
    assert np.allclose(arr(bt["per_sample"]["W1"])[0], n0["W1"].grad.numpy(), atol=1e-13)


def test_a_model_zoo_network_opens_in_the_playground(api_client, student, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from engine import Dense, Sequential
    from nnweb.modelzoo.services import publish_model

    net = Sequential([Dense(2, 3, "tanh"), Dense(3, 2, "softmax")], "cross_entropy", seed=4)
    model = publish_model(
        student, "xor net", "classification", net, {}, ["a", "b"], visibility="public"
    )
    r, st = create(api_client, {"dataset": "xor"}, model=model.pk)
    assert r.status_code == 201, st
    assert st["network"]["sizes"] == [2, 3, 2] and st["network"]["fixed"] is True
    assert st["config"]["dataset"] == f"model:{model.pk}"
    for k, v in net.get_params().items():
        assert np.allclose(arr(st["params"][k]), v)
    sid = st["session"]
    code, body = act(api_client, sid, {"action": "step", "sample": 0})
    assert code == 200 and body["phase"] == "updated"
    code, body = act(api_client, sid, {"action": "configure", "config": {"hidden": [5]}})
    assert code == 400 and "comes from a model" in detail_of(body)
    code, body = act(api_client, sid, {"action": "reset"})
    for k, v in net.get_params().items():
        assert np.allclose(arr(body["params"][k]), v)
    r, body = create(api_client, {}, model=99999)
    assert r.status_code == 400 and attr_of(body) == "model"


def test_an_instructors_dataset_the_user_may_see(api_client, instructor, settings, tmp_path):
    import io

    from nnweb.datasets import services as ds_services

    settings.MEDIA_ROOT = tmp_path / "media"
    rows = "".join(
        f"{(i % 7) / 7:.3f},{(i % 5) / 5:.3f},{['lo', 'hi'][i % 2]}\n" for i in range(40)
    )
    up = io.BytesIO(("x1,x2,label\n" + rows).encode())
    up.name = "pts.csv"
    private = ds_services.import_dataset(instructor, up, name="private pts", target="label")
    r, body = create(api_client, {"dataset": f"dataset:{private.pk}"})
    assert r.status_code == 400 and attr_of(body) == "config.dataset"
    assert "that you may see" in detail_of(body)
    ds_services.set_visibility(private, "public")
    r, st = create(api_client, {"dataset": f"dataset:{private.pk}", "hidden": [3]})
    assert r.status_code == 201, st
    assert st["data"]["n_classes"] == 2 and len(st["data"]["X"]) == 40
    assert st["network"]["sizes"] == [2, 3, 2]
    code, body = act(api_client, st["session"], {"action": "batch"})
    assert code == 200
    opts = frames.loads(api_client.get("/api/playground/options/").content)
    assert f"dataset:{private.pk}" in [d["name"] for d in opts["datasets"]]


def test_another_process_takes_a_session_over_from_the_cache(api_client, student_api):
    _, st = create(api_client, {"hidden": [3], "lr": 0.2})
    sid = st["session"]
    act(api_client, sid, {"action": "batch"})
    before = store.local.get(sid).net.get_params()
    store.local.discard(sid)  # as if this request reached another web process
    r = api_client.get(f"/api/playground/sessions/{sid}/")
    assert r.status_code == 200
    state = frames.loads(r.content)
    assert state["session"] == sid and state["iteration"] == 1 and state["config"]["lr"] == 0.2
    for k, v in before.items():
        assert np.array_equal(arr(state["params"][k]), v)
    # a signed-in user's session stays theirs
    _, mine = create(student_api, {})
    store.local.discard(mine["session"])
    assert api_client.get(f"/api/playground/sessions/{mine['session']}/").status_code == 403
    assert api_client.delete(f"/api/playground/sessions/{sid}/").status_code == 204
    assert api_client.get(f"/api/playground/sessions/{sid}/").status_code == 404


def test_the_page_reads_the_setup_from_the_url_without_javascript(client, settings):
    from django.test import RequestFactory

    from frontend.pages.playground import _config_from_query

    req = RequestFactory().get(
        "/playground/?dataset=circle&features=x1&features=x2&features=x1%5E2&hidden=5,3&m=7&lr=0.05"
    )
    cfg, error = _config_from_query(req, anonymous=True)
    assert error is None
    assert cfg.dataset == "circle" and cfg.features == ["x1", "x2", "x1^2"]
    assert cfg.hidden == [5, 3] and cfg.batch_size == 7 and cfg.lr == 0.05
    req = RequestFactory().get("/playground/?features=x1,x2,sin_x1&hidden=40")
    cfg, error = _config_from_query(req, anonymous=True)
    assert error is not None and error.startswith("hidden layer 1:")


def test_play_stopped_by_a_diverged_loss_is_a_409_naming_why(api_client, monkeypatch):
    r, st = create(api_client, {"hidden": [2]})
    session = store.get(st["session"], None)

    def explode(self, net, trace):
        raise ValueError("the loss is not finite: lower the learning rate")

    # On the optimizer's class, not the instance: scaled out, the session is pickled to Redis
    # between actions, and a function defined here could not be.
    monkeypatch.setattr(type(session.optimizer), "step", explode)
    code, body = act(api_client, st["session"], {"action": "play"})
    assert code == 409 and code_of(body) == "diverged"
    assert "lower the learning rate" in detail_of(body)
    assert not store.get(st["session"], None).playing
