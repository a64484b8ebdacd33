from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "nnweb.classes"
    label = "classes"
    verbose_name = "Classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the lesson-completion receiver
