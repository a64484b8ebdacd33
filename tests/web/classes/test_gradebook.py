"""The grade book: lesson scores from first attempts, challenge results, statistics, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.utils import timezone

from nnweb.classes import playground_api as playground
from nnweb.classes import services
from nnweb.lessons import progress

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
        "correct first attempts / questions in the lesson"
    )
    rows = {r["student"]["username"]: r["cells"][0] for r in book["rows"]}
    assert rows["alice"] == {
        "status": "complete",
        "score": 0.5,
        "late": False,
        "detail": "1/2 right at the first attempt",
    }
    assert rows["bob"]["status"] == "attempted" and rows["bob"]["score"] == 0.5

    stats = client_for(instructor).get(f"/api/classes/{klass.pk}/assignments/{a.pk}/stats/")
    by_q = {s["question"]: s for s in stats.json()}
    assert by_q["q1"]["answered"] == 2 and by_q["q1"]["first_correct"] == 0.5
    assert by_q["q1"]["correct"] == 0.5
    assert by_q["q1"]["wrong_answers"] == [{"answer": "24", "count": 1}]
    assert by_q["q2"]["first_correct"] == 0.5 and by_q["q2"]["correct"] == 1.0

    # a student sees their own row only
    mine = client_for(student).get(f"/api/classes/{klass.pk}/me/").json()
    assert [m["result"]["score"] for m in mine] == [0.5]


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
    assert rows[1] == ["alice", "attempted", "1.000", "passed", "1.000", "1.000"]


def test_csv_cells_cannot_start_a_formula(klass, instructor):
    klass.assignments.create(title="=HYPERLINK(1)", kind="lesson", lesson="sgd", due=timezone.now())
    text = client_for(instructor).get(f"/api/classes/{klass.pk}/gradebook.csv").content.decode()
    assert "'=HYPERLINK(1) status" in text
