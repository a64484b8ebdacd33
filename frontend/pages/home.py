"""Home page (/) and the background-job demo (/jobs/primes/)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from nnweb.core import selectors, services
from nnweb.core.serializers import PrimesRequestSerializer


def home(request):
    return render(request, "frontend/home/index.html")


def primes_job_new(request):
    """Form: enqueue "count the primes below n" on the db_worker."""
    error = None
    n_value = request.POST.get("n", "1000000")
    if request.method == "POST":
        form = PrimesRequestSerializer(data=request.POST)
        if not form.is_valid():
            error = form.errors["n"][0]
        else:
            result = services.enqueue_count_primes(
                form.validated_data["n"], services.owner_key(request)
            )
            messages.info(request, "Job queued: a background worker will pick it up.")
            return redirect("primes-job", job_id=result.id)
    return render(
        request,
        "frontend/home/jobs.html",
        {"error": error, "n_value": n_value, "max_n": services.max_primes_n()},
        status=400 if error else 200,
    )


def primes_job(request, job_id):
    try:
        job = selectors.get_job(str(job_id), services.owner_key(request))
    except selectors.JobNotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "frontend/home/job.html", {"job": job})


urlpatterns = [
    path("", home, name="home"),
    path("jobs/primes/", primes_job_new, name="primes-job-new"),
    path("jobs/primes/<uuid:job_id>/", primes_job, name="primes-job"),
]
