"""Segmentation demo page (/segmentation/).

With JavaScript the page talks to /api/segmentation/ and draws the overlay in the browser
(frontend/ts/pages/segmentation.ts). Without it the form posts here: the server runs the
same service and renders the masks and boxes into one PNG with a table of detections.
"""

from __future__ import annotations

import base64
import io
import random

import numpy as np
from django.shortcuts import render
from django.urls import path
from PIL import Image, ImageDraw

from nnweb.segmentation import masks, selectors, services
from nnweb.segmentation.serializers import RunRequestSerializer

from .forms import field_errors

NO_JS_THRESHOLD = 0.5
COLOURS = [(136, 136, 136), (228, 87, 46), (46, 134, 222), (23, 163, 90), (160, 81, 149)]


def overlay_png(img: Image.Image, result: services.SegmentationResult, threshold: float) -> str:
    """The image with masks tinted and boxes drawn, as a PNG data: URL (no-JS view)."""
    h, w = result.image_size
    base = img.convert("RGB")
    mh, mw = result.mask_size
    if (mh, mw) != (h, w):
        base = base.resize((mw, mh), Image.Resampling.BILINEAR)
    arr = np.asarray(base, dtype=np.float32).copy()
    sx, sy = mw / w, mh / h
    order = np.argsort(-result.scores)
    shown = [int(i) for i in order if result.scores[i] >= threshold]
    for i in shown:
        colour = np.array(COLOURS[int(result.labels[i]) % len(COLOURS)], dtype=np.float32)
        m = masks.decode_mask(result.masks[i])
        arr[m] = 0.45 * arr[m] + 0.55 * colour
    out = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    if max(out.size) < 256:  # small images: enlarge (nearest) so the drawing is legible
        k = 256 // max(out.size)
        out = out.resize((out.width * k, out.height * k), Image.Resampling.NEAREST)
        sx, sy = sx * k, sy * k
    draw = ImageDraw.Draw(out)
    for i in shown:
        colour = COLOURS[int(result.labels[i]) % len(COLOURS)]
        x1, y1, x2, y2 = result.boxes[i]
        box = [x1 * sx, y1 * sy, x2 * sx, y2 * sy]
        draw.rectangle(box, outline=colour, width=2)
        name = (
            result.classes[int(result.labels[i])] if result.labels[i] < len(result.classes) else "?"
        )
        draw.text((box[0] + 2, box[1] + 1), f"{name} {result.scores[i]:.2f}", fill=colour)
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _no_js_run(request) -> dict:
    """Handle the plain form post: returns template context (result or error).

    The form's buttons become the API's request (``sample``, a random ``seed`` or the uploaded
    ``image``), checked by the API's RunRequestSerializer and run by the same service."""
    data: dict = {"model": request.POST.get("model") or None}
    if request.POST.get("sample") not in (None, ""):
        data["sample"] = request.POST["sample"]
    elif request.POST.get("generate"):
        data["seed"] = random.SystemRandom().randint(0, services.MAX_SEED)
    elif "image" in request.FILES:
        data["image"] = request.FILES["image"]
    else:
        return {"error": "Choose a sample, generate an image or upload one."}
    form = RunRequestSerializer(data=data)
    if not form.is_valid():
        return {"error": next(iter(field_errors(form.errors).values()))}
    img = form.validated_data["img"]
    try:
        result = services.segment(img, form.validated_data["model"], request.user)
    except selectors.ModelUnavailable as exc:
        return {"error": str(exc)}
    data = result.as_dict()
    rows = [
        {"name": n, "score": s, "box": b}
        for n, s, b in zip(data["names"], data["scores"], data["boxes"])
        if s >= NO_JS_THRESHOLD
    ]
    rows.sort(key=lambda r: -r["score"])
    return {
        "result": data,
        "rows": rows,
        "overlay": overlay_png(img, result, NO_JS_THRESHOLD),
    }


def index(request):
    models = [m.public() for m in selectors.list_models(request.user)]
    wanted = request.POST.get("model") or request.GET.get("model")
    if wanted and any(m["id"] == wanted for m in models):
        for m in models:
            m["selected"] = m["id"] == wanted
    else:
        for m in models:
            m["selected"] = m["default"]
    context = {
        "title": "Segmentation",
        "models": models,
        "samples": services.samples(),
        "max_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_side": services.MAX_SIDE,
        "threshold": NO_JS_THRESHOLD,
    }
    status = 200
    if request.method == "POST":
        context.update(_no_js_run(request))
        if "error" in context:
            status = 400
    return render(request, "frontend/segmentation/index.html", context, status=status)


urlpatterns = [
    path("segmentation/", index, name="segmentation"),
]
