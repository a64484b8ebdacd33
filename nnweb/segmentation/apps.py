from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "nnweb.segmentation"
    label = "segmentation"
    verbose_name = "Segmentation"
    default_auto_field = "django.db.models.BigAutoField"
