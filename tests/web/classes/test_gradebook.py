"""The grade book: lesson scores from first attempts, challenge results, statistics, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.utils import timezone

from nnweb.classes import playground_api as playground
from nnweb.classes import services
from nnweb.lessons import services as progress

from .conftest import client_for, open_session


def _lesson(klass, instructor, slug="convolution"):
    return services.create_assignment(
        klass,
        instructor,
        {"title": "Conv", "kind": "lesson", "lesson": slug, "due": timezone.now() + timedelta(1)},
    )


def test_lesson_score_counts_first_attempts(klass, instructor, student, other_student):
    a = _lesson(klass, instructor)
    services.join_class(other_student, klass.join_code)
    # convolution has four graded questions (and one prediction, never graded): each one
    # answered or not counts in the denominator.
    # alice: q1 right first time, q2 wrong then right; bob: q1 wrong twice, q2 right
    progress.record_answer(student, "convolution", "q1", 26, True)
    progress.record_answer(student, "convolution", "q2", 30, False)
    progress.record_answer(student, "convolution", "q2", 32, True)
    progress.mark_complete(student, "convolution")
    progress.record_answer(other_student, "convolution", "q1", 25, False)
    progress.record_answer(other_student, "convolution", "q1", 24, False)
    progress.record_answer(other_student, "convolution", "q2", 32, True)
    book = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook/").json()
    assert book["assignments"][0]["score_rule"] == (
        "correct first attempts / graded questions of the lesson (predictions are not graded)"
    )
    rows = {r["student"]["username"]: r["cells"][0] for r in book["rows"]}
    assert rows["alice"] == {
        "status": "complete",
        "score": 0.25,
        "late": False,
        "detail": "1/4 right at the first attempt",
    }
    assert rows["bob"]["status"] == "attempted" and rows["bob"]["score"] == 0.25

    stats = client_for(instructor).get(f"/api/classes/{klass.pk}/assignments/{a.pk}/stats/")
    by_q = {s["question"]: s for s in stats.json()}
    assert list(by_q) == ["q1", "q2", "q3", "q4"]  # every graded question, in page order
    assert by_q["q1"]["text"].startswith("A 28 × 28 image, a 3 × 3 kernel")
    assert by_q["q3"]["answered"] == 0 and by_q["q3"]["first_correct"] is None
    assert by_q["q1"]["answered"] == 2 and by_q["q1"]["first_correct"] == 0.5
    assert by_q["q1"]["correct"] == 0.5
    assert by_q["q1"]["wrong_answers"] == [{"answer": "24", "count": 1}]
    assert by_q["q2"]["first_correct"] == 0.5 and by_q["q2"]["correct"] == 1.0

    # a student sees their own row only
    mine = client_for(student).get(f"/api/classes/{klass.pk}/me/").json()
    assert [m["result"]["score"] for m in mine] == [0.25]

    # the assignment page shows each question's short text, its id in the title attribute
    page = client_for(instructor).get(f"/classes/{klass.pk}/assignments/{a.pk}/")
    assert '<th scope="row" title="question q1">A 28 × 28 image' in page.content.decode()


def test_gradebook_csv_has_scores(klass, instructor, student, challenge):
    _lesson(klass, instructor)
    progress.record_answer(student, "convolution", "q1", 26, True)
    session = open_session(student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    for _ in range(40):
        playground.act(session, {"action": "epoch"})
    url = f"/api/classes/{klass.pk}/assignments/{challenge.pk}/submit/"
    assert client_for(student).post(url, {"session": session.id}, format="json").json()["passed"]
    resp = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook.csv")
    assert resp["Content-Type"].startswith("text/csv")
    assert "lab-a-grades.csv" in resp["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.content.decode())))
    # columns in order of due date: the lesson (due tomorrow), then the challenge (next week)
    assert rows[0] == ["student", "Conv status", "Conv score", "XOR status", "XOR score", "total"]
    assert rows[1] == ["alice", "attempted", "0.250", "passed", "1.000", "0.625"]


def test_csv_cells_cannot_start_a_formula(klass, instructor):
    klass.assignments.create(title="=HYPERLINK(1)", kind="lesson", lesson="sgd", due=timezone.now())
    text = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook.csv").content.decode()
    assert "'=HYPERLINK(1) status" in text


def _dataset(owner, name="Iris", visibility="students"):
    from nnweb.datasets.models import Dataset

    return Dataset.objects.create(
        owner=owner,
        name=name,
        kind="tabular",
        task="classification",
        visibility=visibility,
        folder=f"ds-{name.lower()}",
        original_name=f"{name}.csv",
        original=f"datasets/{name}.csv",
        arrays=f"datasets/{name}.npz",
    )


def _run(owner, ds, status, accuracy):
    from nnweb.training.models import TrainingRun

    return TrainingRun.objects.create(
        owner=owner, dataset=ds, dataset_name=ds.name, status=status, accuracy=accuracy
    )


def test_training_run_assignment_is_scored_from_the_students_finished_run(
    klass, instructor, student, other_student
):
    ds = _dataset(instructor)
    made = client_for(instructor).post(
        f"/api/classes/{klass.pk}/assignments/",
        {
            "title": "Iris 90",
            "kind": "training",
            "dataset": ds.pk,
            "target_accuracy": 0.9,
            "due": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    a = made.json()
    assert a["dataset_name"] == "Iris" and "validation accuracy ≥ 90%" in a["goal_text"]
    url = f"/api/classes/{klass.pk}/assignments/{a['id']}/submit/"
    alice = client_for(student)

    running = _run(student, ds, "running", None)
    resp = alice.post(url, {"run": running.pk}, format="json").json()
    assert not resp["passed"] and any("not finished" in r for r in resp["reasons"])
    weak = _run(student, ds, "succeeded", 0.8)
    resp = alice.post(url, {"run": weak.pk}, format="json").json()
    assert not resp["passed"] and "validation accuracy is 80.0%" in resp["reasons"][0]
    # someone else's run, even a good one, is not hers to submit
    bobs = _run(other_student, ds, "succeeded", 0.99)
    bad = alice.post(url, {"run": bobs.pk}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "run"

    good = _run(student, ds, "succeeded", 0.93)
    resp = alice.post(url, {"run": good.pk}, format="json").json()
    assert resp["passed"] and resp["measured"]["validation_accuracy"] == 0.93
    assert resp["submission"]["attempts"] == 3 and resp["submission"]["score"] == 1.0

    book = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook/").json()
    cell = book["rows"][0]["cells"][0]
    assert book["rows"][0]["student"]["username"] == "alice"
    assert cell["status"] == "passed" and cell["score"] == 1.0 and not cell["late"]
    text = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook.csv").content.decode()
    assert list(csv.reader(io.StringIO(text)))[1] == ["alice", "passed", "1.000", "1.000"]
