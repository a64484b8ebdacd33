"""Challenges are checked by the server on the student's own live playground session."""

from __future__ import annotations

from nnweb.classes import playground_api as playground
from nnweb.classes.models import Submission

from .conftest import client_for, make_challenge, open_session


def _submit(user, klass, assignment, body):
    url = f"/api/classes/{klass.pk}/assignments/{assignment.pk}/submit/"
    return client_for(user).post(url, body, format="json")


def _train(session, epochs: int) -> None:
    for _ in range(epochs):
        playground.act(session, {"action": "epoch"})


def test_forged_result_does_not_pass(klass, challenge, student):
    session = open_session(student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    playground.act(session, {"action": "epoch"})  # one epoch: far from 90%
    forged = {
        "session": session.id,
        "test_accuracy": 1.0,
        "passed": True,
        "measured": {"test_accuracy": 1.0},
    }
    resp = _submit(student, klass, challenge, forged)
    assert resp.status_code == 200
    body = resp.json()
    assert body["passed"] is False
    assert body["measured"]["test_accuracy"] < 0.9
    assert "test accuracy is" in body["reasons"][0]
    sub = Submission.objects.get(assignment=challenge, student=student)
    assert sub.status == "not_yet" and sub.score == 0.0


def test_passes_when_the_session_reaches_the_goal(klass, challenge, student):
    session = open_session(student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    _train(session, 40)
    acc = session.evaluate()["test_acc"]
    assert acc >= 0.9  # the server's own measurement of this session
    body = _submit(student, klass, challenge, {"session": session.id}).json()
    assert body["passed"] is True, body
    assert body["measured"]["test_accuracy"] == acc
    assert body["submission"]["status"] == "passed" and body["submission"]["score"] == 1.0
    # a later, weaker attempt does not take the pass away
    playground.act(session, {"action": "reset"})
    playground.act(session, {"action": "epoch"})
    again = _submit(student, klass, challenge, {"session": session.id}).json()
    assert again["passed"] is False
    assert again["submission"]["status"] == "passed" and again["submission"]["score"] == 1.0


def test_too_many_neurons_or_edited_data_refused(klass, challenge, student):
    big = open_session(student, {"dataset": "xor", "hidden": [16], "lr": 0.3})
    _train(big, 30)
    body = _submit(student, klass, challenge, {"session": big.id}).json()
    assert body["passed"] is False
    assert any("at most 8 hidden neurons" in r for r in body["reasons"])
    edited = open_session(student, {"dataset": "xor", "hidden": [8], "removed": [0, 1, 2]})
    _train(edited, 30)
    body = _submit(student, klass, challenge, {"session": edited.id}).json()
    assert body["passed"] is False
    assert any("as generated" in r for r in body["reasons"])


def test_someone_elses_session_is_refused(klass, challenge, student, other_student):
    theirs = open_session(other_student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    _train(theirs, 40)
    resp = _submit(student, klass, challenge, {"session": theirs.id})
    assert resp.status_code == 403
    assert not Submission.objects.filter(student=student).exists()
    anon = open_session(None, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    resp = _submit(student, klass, challenge, {"session": anon.id})
    assert resp.status_code == 403
    missing = _submit(student, klass, challenge, {"session": "f" * 32})
    assert missing.status_code == 400 and "expired" in missing.content.decode()
    assert _submit(student, klass, challenge, {}).status_code == 400


def test_regression_loss_goal(klass, instructor, student):
    a = make_challenge(
        klass,
        instructor,
        {"measure": "loss", "dataset": "sine", "max_test_loss": 0.05, "hidden_layers": 1},
        title="Sine",
    )
    two = open_session(student, {"dataset": "sine", "problem": "regression", "hidden": [8, 8]})
    _train(two, 2)
    body = _submit(student, klass, a, {"session": two.id}).json()
    assert body["passed"] is False and any("1 hidden layer" in r for r in body["reasons"])
    one = open_session(
        student, {"dataset": "sine", "problem": "regression", "hidden": [10], "lr": 0.1}
    )
    _train(one, 60)
    body = _submit(student, klass, a, {"session": one.id}).json()
    assert body["measured"]["test_loss"] == one.evaluate()["test_loss"]
    assert body["passed"] is (one.evaluate()["test_loss"] <= 0.05)
    assert body["passed"] is True, body


def test_diverging_learning_rate(klass, instructor, student):
    a = make_challenge(
        klass, instructor, {"measure": "diverge", "dataset": "sine"}, title="Diverge"
    )
    calm = open_session(
        student, {"dataset": "sine", "problem": "regression", "hidden": [8], "lr": 0.01}
    )
    body = _submit(student, klass, a, {"session": calm.id}).json()
    assert body["passed"] is False and "does not diverge" in body["reasons"][0]
    wild = open_session(
        student, {"dataset": "sine", "problem": "regression", "hidden": [8], "lr": 5}
    )
    body = _submit(student, klass, a, {"session": wild.id}).json()
    assert body["passed"] is True, body
