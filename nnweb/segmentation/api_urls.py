"""REST API of the segmentation app, mounted at /api/segmentation/."""

urlpatterns: list = []
