from django.apps import AppConfig


class ModelzooConfig(AppConfig):
    name = "nnweb.modelzoo"
    label = "modelzoo"
    verbose_name = "Model zoo"
    default_auto_field = "django.db.models.BigAutoField"
