from django.apps import AppConfig


class PlaygroundConfig(AppConfig):
    name = "nnweb.playground"
    label = "playground"
    verbose_name = "Playground"
    default_auto_field = "django.db.models.BigAutoField"
