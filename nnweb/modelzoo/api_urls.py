"""REST API of the modelzoo app, mounted at /api/modelzoo/.

GET    /api/modelzoo/                 list (?task=classification|regression|instance_segmentation)
POST   /api/modelzoo/                 upload an .onnx (instructors; multipart: file, name,
                                      task, description); 400 with the validator's message
GET    /api/modelzoo/<id>/            one model
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
