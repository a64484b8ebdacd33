"""Training pages: runs list, new-run form, run page (live progress), cancel.

Thin views over nnweb.training.selectors (reads) and services (writes). The run page is
complete without JavaScript (reload to see progress); pages/training.ts keeps it live over
ws/training/<id>/ and draws the curves and the confusion matrix with d3.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from nnweb.training import selectors, services
from nnweb.training.networks import HIDDEN_ACTIVATIONS
from nnweb.training.serializers import CreateRunSerializer

from .forms import field_errors


@login_required
def index(request):
    runs = selectors.swept_runs(request.user)[:100]
    return render(request, "frontend/training/index.html", {"title": "Training", "runs": runs})


class FormSyntax(ValueError):
    """A field the page writes as text ("16, 8", "8:3:2") that does not parse."""


def _ints(text: str) -> list[int]:
    """'16, 8' → [16, 8] (the API takes the list itself)."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        return [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        raise FormSyntax("write whole numbers separated by commas, e.g. 16, 8") from None


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
            raise FormSyntax(f"{part!r} is not filters:kernel:pool, e.g. 8:3:2") from None
        nums += [3, 2][len(nums) - 1 :] if len(nums) < 3 else []
        blocks.append({"filters": nums[0], "kernel": nums[1], "pool": nums[2]})
    return blocks


OPTIMIZER_FIELDS = ("lr", "batch_size", "momentum", "l2", "epochs", "val_fraction", "seed")
# The serializer's field paths → the form's fields (for the inline errors).
FORM_FIELDS = {
    "dataset": "source",
    "builtin": "source",
    "network.type": "network",
    "network.hidden": "hidden",
    "network.conv": "conv",
    "network.activation": "activation",
    **{f"optimizer.{k}": k for k in OPTIMIZER_FIELDS},
}


def _run_request(values: dict) -> tuple[dict, dict[str, str]]:
    """The form's fields as the API's CreateRunSerializer body, and the fields that did
    not parse ({form field: message})."""
    errors: dict[str, str] = {}
    kind, _, ident = values["source"].partition(":")
    if kind not in ("builtin", "uploaded") or not ident:
        errors["source"] = "choose a dataset"
    network: dict = {"type": values["network"], "activation": values["activation"]}
    for field, parse in (("hidden", _ints), ("conv", _conv_blocks)):
        if field == "conv" and values["network"] != "cnn":
            continue
        try:
            network[field] = parse(values[field])
        except FormSyntax as exc:
            errors[field] = str(exc)
    optimizer = {k: values[k].strip() for k in OPTIMIZER_FIELDS if values[k].strip()}
    body = {"network": network, "optimizer": optimizer}
    body["dataset" if kind == "uploaded" else "builtin"] = ident
    return body, errors


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
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in DEFAULTS})
        body, errors = _run_request(values)
        form = CreateRunSerializer(data=body)
        if not errors and not form.is_valid():
            errors = field_errors(form.errors, FORM_FIELDS)
        if not errors:
            try:
                run = services.create_run(request.user, **form.validated_data)
            except services.RunRejected as err:
                error = str(err)
            else:
                return redirect("training-detail", pk=run.pk)
        error = error or errors.pop("", None)
        status = 400
    choices = selectors.dataset_choices(request.user)
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
            "errors": errors,
            "choices": choices,
            "activations": HIDDEN_ACTIVATIONS,
            "quota": selectors.quota_summary(request.user),
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    run = selectors.get_run(request.user, pk)
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
            "can_cancel": selectors.can_cancel(request.user, run) and run.is_active,
            "percent": round(100 * snap["progress"]),
        },
    )


@require_POST
@login_required
def cancel(request, pk: int):
    run = selectors.get_cancellable(request.user, pk)
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
