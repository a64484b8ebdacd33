"""REST API of the modelzoo app, mounted at /api/modelzoo/.

GET    /api/modelzoo/                 list (?task=classification|regression|instance_segmentation)
POST   /api/modelzoo/                 upload an .onnx (instructors; multipart: file, name,
                                      task, description, visibility=public); 400 with
                                      the validator's message
GET    /api/modelzoo/<id>/            one model (404 unless the user may see it:
                                      selectors.visible_models)
PATCH  /api/modelzoo/<id>/            {"visibility": "private|students|public"}: owner or
                                      instructor; only instructors may choose students/public
DELETE /api/modelzoo/<id>/            owner or instructor
GET    /api/modelzoo/<id>/download/   the .onnx file (attachment; opens in Netron)
"""

from django.urls import path

from . import views

app_name = "modelzoo-api"

urlpatterns = [
    path("", views.ModelListView.as_view(), name="list"),
    path("<int:pk>/", views.ModelDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.ModelDownloadView.as_view(), name="download"),
]
