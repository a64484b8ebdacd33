"""The demo background job: enqueue from a page and the API, run by a db_worker, show result."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from nnweb.core import selectors
from nnweb.core.tasks import count_primes, primes_below
from tests.web.api_errors import error_for

pytestmark = pytest.mark.django_db


# The worker closes database connections when it stops, so the tests that run it use
# transaction=True (no wrapping transaction to lose on PostgreSQL).
worker_db = pytest.mark.django_db(transaction=True)


def run_worker_once():
    call_command(
        "db_worker", "--batch", "--no-reload", "--queue-name", "*", "--no-startup-delay", "-v", "0"
    )


def test_primes_below_matches_definition():
    assert primes_below(2).tolist() == []
    assert primes_below(3).tolist() == [2]
    assert primes_below(30).tolist() == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert primes_below(1_000_000).size == 78498


@worker_db
def test_page_enqueues_worker_runs_page_shows_result(anon_client):
    response = anon_client.post(reverse("primes-job-new"), {"n": "100"})
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    assert selectors.get_job(job_id, None).status == "READY"
    page = anon_client.get(job_url)
    assert page.status_code == 200
    assert 'data-status="READY"' in page.content.decode()

    run_worker_once()

    job = selectors.get_job(job_id, None)
    assert job.status == "SUCCESSFUL"
    assert job.result["count"] == 25 and job.result["largest"] == 97
    page = anon_client.get(job_url).content.decode()
    assert 'data-status="SUCCESSFUL"' in page
    assert '<strong id="job-count">25</strong>' in page


def test_page_rejects_bad_n(anon_client):
    response = anon_client.post(reverse("primes-job-new"), {"n": "ten"})
    assert response.status_code == 400
    assert "n must be a whole number" in response.content.decode()
    response = anon_client.post(reverse("primes-job-new"), {"n": str(10**12)})
    assert response.status_code == 400
    assert "between 2 and" in response.content.decode()


@worker_db
def test_api_enqueue_and_poll(api_client):
    response = api_client.post("/api/core/jobs/primes/", {"n": 50}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "READY" and body["finished"] is False and body["n"] == 50
    run_worker_once()
    body = api_client.get(f"/api/core/jobs/{body['id']}/").json()
    assert body["status"] == "SUCCESSFUL" and body["finished"] is True
    assert body["result"]["count"] == 15


def test_api_validation_and_unknown_job(api_client):
    response = api_client.post("/api/core/jobs/primes/", {"n": 1}, format="json")
    assert response.status_code == 400
    assert "between 2 and" in error_for(response, "n")
    response = api_client.get("/api/core/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_enqueue_uses_the_database_backend():
    from nnweb.core.tasks_api import task_backends

    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    result = count_primes.enqueue(n=10)
    assert count_primes.get_result(result.id).status == "READY"
