"""REST API of the segmentation app, mounted at /api/segmentation/.

GET  models/                 instance-segmentation models (the shipped one is the default)
GET  samples/                sample images  ->  [{id, name, seed, url}]
GET  samples/<id>.png        one sample image (PNG)
POST generate/               a new random shapes image: {seed?} -> {seed, image, truth}
POST run/                    segment one image; the image is one of
                               multipart file "image" (PNG or JPEG, <= 5 MB, <= 4096 x 4096)
                               "image_base64" (a canvas data: URL or bare base64)
                               "sample" (a sample id) or "seed" (a generated image)
                             and optionally "model" (id) and "score_threshold" (0..1)
                             -> boxes, labels, names, scores, masks (run-length encoded at
                                mask_size), provider, device, latency_ms
"""

from django.urls import path

from . import views

app_name = "segmentation-api"

urlpatterns = [
    path("models/", views.ModelsView.as_view(), name="models"),
    path("samples/", views.SamplesView.as_view(), name="samples"),
    path("samples/<int:index>.png", views.SampleImageView.as_view(), name="sample-image"),
    path("generate/", views.GenerateView.as_view(), name="generate"),
    path("run/", views.RunView.as_view(), name="run"),
]
