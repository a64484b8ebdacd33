"""Model zoo pages (/models/): the list with an upload form for instructors, one model's page
(metrics, architecture, download, "Open in playground"), its visibility control and deletion.
Server-rendered and complete without JavaScript; every action goes through
nnweb.modelzoo.services, and every page reads models through selectors.visible_models (a model
the user may not see is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from nnweb.core.permissions import is_instructor
from nnweb.core.view_helpers import require
from nnweb.modelzoo import selectors, services
from nnweb.modelzoo.models import TrainedModel
from nnweb.modelzoo.serializers import ModelUpdateSerializer, ModelUploadSerializer

from .deletion import DeleteView
from .forms import error_line, field_errors

TASK_CHOICES = TrainedModel.Task.choices
# What each visibility means for a model (the datasets' labels say "only me"; a private
# model is also seen by instructors).
VISIBILITY_TEXT = {
    "private": "Private (the owner and instructors)",
    "students": "Visible to students (signed-in users)",
    "public": "Public (everyone)",
}


def _visibility_choices(values) -> list[tuple[str, str]]:
    return [(v, VISIBILITY_TEXT[v]) for v in values]


def _headline(metrics: dict) -> str:
    """One number for the list: accuracy when there is one, else the final loss."""
    for key in ("val_accuracy", "accuracy", "test_accuracy", "mask_ap", "val_loss", "loss"):
        value = metrics.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{key.replace('_', ' ')} {value:.3g}"
    return ""


def _metric_rows(metrics: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in metrics.items():
        if isinstance(value, float):
            shown = f"{value:.4g}"
        elif isinstance(value, list):
            nums = [v for v in value if isinstance(v, int | float)]
            if nums and len(nums) == len(value) and len(value) > 6:
                shown = f"{len(value)} values, last {nums[-1]:.4g}"
            else:
                shown = ", ".join(str(v) for v in value[:20])
        else:
            shown = str(value)
        rows.append((key.replace("_", " "), shown))
    return rows


@require_http_methods(["GET", "POST"])
def index(request):
    form = {"name": "", "task": "classification", "description": "", "visibility": "public"}
    error = None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        require(is_instructor(request.user), "Only instructors may upload models.")
        form = {k: request.POST.get(k, v) for k, v in form.items()}
        data = request.POST.copy()
        data.update(request.FILES)
        upload = ModelUploadSerializer(data=data)  # the API's validator, then its service
        if upload.is_valid():
            d = dict(upload.validated_data)
            try:
                model = services.upload_model(request.user, d.pop("file"), **d)
            except services.ModelRejected as exc:
                error = str(exc)
            else:
                messages.success(request, f"Uploaded “{model.name}”.")
                return redirect("models-detail", pk=model.pk)
        else:
            errors = field_errors(upload.errors)
            error = errors.pop("", None)
        status = 400
    task = request.GET.get("task", "")
    qs = selectors.visible_models(request.user)
    if task in TrainedModel.Task.values:
        qs = qs.filter(task=task)
    rows = [{"model": m, "headline": _headline(m.metrics)} for m in qs[:500]]
    return render(
        request,
        "frontend/models/index.html",
        {
            "title": "Models",
            "rows": rows,
            "task": task,
            "task_choices": TASK_CHOICES,
            "visibility_choices": _visibility_choices(TrainedModel.Visibility.values),
            "can_upload": is_instructor(request.user),
            "form": form,
            "error": error,
            "errors": errors,
            "max_mb": services.onnx_limits().max_bytes // (1024 * 1024),
        },
        status=status,
    )


def detail(request, pk: int):
    model = selectors.model_or_404(request.user, pk)
    layers = (model.spec or {}).get("layers") or []
    return render(
        request,
        "frontend/models/detail.html",
        {
            "title": model.name,
            "model": model,
            "metric_rows": _metric_rows(model.metrics or {}),
            "layers": [
                {"type": ls.get("type", "?"), "args": {k: v for k, v in ls.items() if k != "type"}}
                for ls in layers
                if isinstance(ls, dict)
            ],
            "shape_text": "("
            + ", ".join("?" if d is None else str(d) for d in (model.input_shape or []))
            + ")",
            "download_url": reverse("modelzoo-api:download", args=[model.pk]),
            "can_delete": selectors.can_manage(request.user, model),
            "visibility_text": VISIBILITY_TEXT.get(model.visibility, model.visibility),
            "visibility_choices": _visibility_choices(
                selectors.allowed_visibilities(request.user, model)
            ),
        },
    )


@require_POST
def visibility(request, pk: int):
    """The owner or an instructor changes who sees the model (the detail page's control)."""
    model = selectors.model_or_404(request.user, pk)
    require(
        selectors.can_manage(request.user, model),
        "Only the model's owner or an instructor may change its visibility.",
    )
    form = ModelUpdateSerializer(data={"visibility": request.POST.get("visibility", "")})
    if not form.is_valid():
        messages.error(request, error_line(form.errors))
        return redirect("models-detail", pk=model.pk)
    services.set_visibility(request.user, model, form.validated_data["visibility"])  # or 403
    shown = VISIBILITY_TEXT[str(model.visibility)].lower()
    messages.success(request, f"“{model.name}” is now {shown}.")
    return redirect("models-detail", pk=model.pk)


class ModelDeleteView(DeleteView):
    success_url_name = "models"
    refusal = "Only the model's owner or an instructor may delete it."

    def get_object(self, pk: int) -> TrainedModel:
        return selectors.model_or_404(self.request.user, pk)

    def may_delete(self, model: TrainedModel) -> bool:
        return selectors.can_manage(self.request.user, model)

    def delete(self, model: TrainedModel) -> None:
        services.delete_model(model)

    def deleted_message(self, name: str) -> str:
        return f"Deleted “{name}”."


urlpatterns = [
    path("models/", index, name="models"),
    path("models/<int:pk>/", detail, name="models-detail"),
    path("models/<int:pk>/delete/", ModelDeleteView.as_view(), name="models-delete"),
    path("models/<int:pk>/visibility/", visibility, name="models-visibility"),
]
