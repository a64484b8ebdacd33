"""Training pages: runs list, new-run form, run page (live progress), cancel.

Thin views over nnweb.training.services. The run page is complete without
JavaScript (reload to see progress); pages/training.ts keeps it live over
ws/training/<id>/ and draws the curves and the confusion matrix with d3.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from nnweb.training import services
from nnweb.training.networks import HIDDEN_ACTIVATIONS
from nnweb.training.views import get_cancellable, get_run


@login_required
def index(request):
    services.sweep_stale_runs()
    runs = services.visible_runs(request.user)[:100]
    return render(request, "frontend/training/index.html", {"title": "Training", "runs": runs})


def _ints(text: str, field: str) -> list[int]:
    text = (text or "").strip()
    if not text:
        return []
    try:
        return [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        raise services.RunRejected(
            f"{field}: write whole numbers separated by commas, e.g. 16, 8"
        ) from None


def _conv_blocks(text: str) -> list[dict]:
    """'8:3:2, 16:3:2' → [{'filters': 8, 'kernel': 3, 'pool': 2}, ...]."""
    blocks = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nums = [int(v) for v in part.split(":")]
        except ValueError:
            raise services.RunRejected(
                f"convolution blocks: {part!r} is not filters:kernel:pool, e.g. 8:3:2"
            ) from None
        nums += [3, 2][len(nums) - 1 :] if len(nums) < 3 else []
        blocks.append({"filters": nums[0], "kernel": nums[1], "pool": nums[2]})
    return blocks


def _number(value: str, default):
    value = (value or "").strip()
    if value == "":
        return default
    try:
        return int(value) if value.lstrip("-").isdigit() else float(value)
    except ValueError:
        return value  # the service names the field in its refusal


DEFAULTS = {
    "source": "",
    "network": "mlp",
    "hidden": "16",
    "activation": "relu",
    "conv": "8:3:2",
    "lr": "0.05",
    "batch_size": "16",
    "momentum": "0.9",
    "l2": "0",
    "epochs": "20",
    "val_fraction": "0.2",
    "seed": "0",
}


@login_required
def new(request):
    values = dict(DEFAULTS)
    if request.GET.get("dataset"):
        values["source"] = f"uploaded:{request.GET['dataset']}"
    elif request.GET.get("builtin"):
        values["source"] = f"builtin:{request.GET['builtin']}"
    error = None
    status = 200
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in DEFAULTS})
        try:
            source = values["source"]
            kind, _, ident = source.partition(":")
            if kind not in ("builtin", "uploaded") or not ident:
                raise services.RunRejected("choose a dataset")
            network = {
                "type": values["network"],
                "hidden": _ints(values["hidden"], "hidden layers"),
                "activation": values["activation"],
            }
            if values["network"] == "cnn":
                network["conv"] = _conv_blocks(values["conv"])
            optimizer = {k: _number(values[k], None) for k in (
                "lr", "batch_size", "momentum", "l2", "epochs", "val_fraction", "seed"
            )}  # fmt: skip
            optimizer = {k: v for k, v in optimizer.items() if v is not None}
            run = services.create_run(
                request.user,
                builtin=ident if kind == "builtin" else "",
                dataset=int(ident) if kind == "uploaded" and ident.isdigit() else None,
                network=network,
                optimizer=optimizer,
            )
        except services.RunRejected as err:
            error = str(err)
            status = 400
        else:
            return redirect("training-detail", pk=run.pk)
    choices = services.dataset_choices(request.user)
    for group in ("builtin", "uploaded"):
        for c in choices[group]:
            c["key"] = f"{group}:{c['id']}"
    return render(
        request,
        "frontend/training/new.html",
        {
            "title": "New training run",
            "values": values,
            "error": error,
            "choices": choices,
            "activations": HIDDEN_ACTIVATIONS,
            "quota": services.quota_summary(request.user),
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    run = get_run(request.user, pk)
    snap = services.snapshot(run)
    confusion_rows = []
    if run.confusion:
        names = run.class_names or [str(k) for k in range(len(run.confusion))]
        confusion_rows = list(zip(names, run.confusion))
    return render(
        request,
        "frontend/training/detail.html",
        {
            "title": f"Run {run.pk}",
            "run": run,
            "snap": snap,
            "confusion_rows": confusion_rows,
            "can_cancel": services.can_cancel(request.user, run) and run.is_active,
            "percent": round(100 * snap["progress"]),
        },
    )


@require_POST
@login_required
def cancel(request, pk: int):
    run = get_cancellable(request.user, pk)
    if run.is_active:
        services.cancel_run(run)
        messages.info(request, "Cancelling the run.")
    return redirect("training-detail", pk=run.pk)


urlpatterns = [
    path("training/", index, name="training"),
    path("training/new/", new, name="training-new"),
    path("training/<int:pk>/", detail, name="training-detail"),
    path("training/<int:pk>/cancel/", cancel, name="training-cancel"),
]
