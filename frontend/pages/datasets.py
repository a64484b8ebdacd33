"""Datasets pages: list, upload (instructors), preview, owner actions.

Thin views over nnweb.datasets.services; every page works without JavaScript
(pages/datasets.ts only adds conveniences such as reading the CSV header).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from nnweb.core.permissions import is_instructor
from nnweb.datasets import selectors, services
from nnweb.datasets.importers import DatasetRejected
from nnweb.datasets.models import Dataset
from nnweb.datasets.serializers import UpdateSerializer, UploadSerializer

from .deletion import DeleteView
from .forms import error_line, field_errors


def index(request):
    datasets = selectors.visible_datasets(request.user)
    return render(
        request,
        "frontend/datasets/index.html",
        {"title": "Datasets", "datasets": datasets, "can_upload": is_instructor(request.user)},
    )


UPLOAD_FIELDS = (
    "name", "description", "format", "target", "task", "visibility", "image_size", "color"
)  # fmt: skip


@login_required
def upload(request):
    if not is_instructor(request.user):
        raise PermissionDenied("Only instructors may upload datasets.")
    try:
        services.check_request_size(request.META.get("CONTENT_LENGTH"))
    except DatasetRejected as err:
        request.upload_handlers = []  # do not read the body
        values = {k: "" for k in UPLOAD_FIELDS}
        return render(
            request,
            "frontend/datasets/upload.html",
            {
                "title": "Upload a dataset",
                "values": values,
                "error": str(err),
                "visibilities": Dataset.Visibility.choices,
            },
            status=400,
        )
    values = {k: request.POST.get(k, "") for k in UPLOAD_FIELDS}
    values.setdefault("task", "classification")
    error = None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        data.update(request.FILES)
        form = UploadSerializer(data=data)  # the API's validator, then the API's service
        if form.is_valid():
            try:
                ds = services.import_upload(request.user, form.validated_data)
            except DatasetRejected as err:
                error = str(err)
            else:
                messages.success(request, f"Dataset “{ds.name}” uploaded: {ds.n_samples} samples.")
                return redirect("datasets-detail", pk=ds.pk)
        else:
            errors = field_errors(form.errors)
            error = errors.pop("", None)
        status = 400
    return render(
        request,
        "frontend/datasets/upload.html",
        {
            "title": "Upload a dataset",
            "values": values,
            "error": error,
            "errors": errors,
            "visibilities": Dataset.Visibility.choices,
        },
        status=status,
    )


def detail(request, pk: int):
    ds = selectors.get_visible(request.user, pk)
    data = services.preview(ds)
    columns = []
    if ds.kind == Dataset.Kind.TABULAR:
        columns = ds.stats.get("columns", [])
    return render(
        request,
        "frontend/datasets/detail.html",
        {
            "title": ds.name,
            "ds": ds,
            "preview": data,
            "columns": columns,
            "can_manage": selectors.can_manage(request.user, ds),
            "visibilities": Dataset.Visibility.choices,
        },
    )


@require_POST
@login_required
def visibility(request, pk: int):
    ds = selectors.get_managed(request.user, pk, "change")
    form = UpdateSerializer(data={"visibility": request.POST.get("visibility", "")})
    if not form.is_valid():
        messages.error(request, error_line(form.errors))
    else:
        services.update_dataset(ds, **form.validated_data)
        messages.success(request, f"Visibility is now “{ds.get_visibility_display()}”.")
    return redirect("datasets-detail", pk=ds.pk)


class DatasetDeleteView(DeleteView):
    login_required = True
    success_url_name = "datasets"
    refusal = selectors.manage_refusal("delete")

    def get_object(self, pk: int) -> Dataset:
        return selectors.get_visible(self.request.user, pk)

    def may_delete(self, ds: Dataset) -> bool:
        return selectors.can_manage(self.request.user, ds)

    def delete(self, ds: Dataset) -> None:
        services.delete_dataset(ds)

    def deleted_message(self, name: str) -> str:
        return f"Dataset “{name}” deleted."


urlpatterns = [
    path("datasets/", index, name="datasets"),
    path("datasets/upload/", upload, name="datasets-upload"),
    path("datasets/<int:pk>/", detail, name="datasets-detail"),
    path("datasets/<int:pk>/visibility/", visibility, name="datasets-visibility"),
    path("datasets/<int:pk>/delete/", DatasetDeleteView.as_view(), name="datasets-delete"),
]
