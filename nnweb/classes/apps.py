from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "nnweb.classes"
    label = "classes"
    verbose_name = "Classes"
    default_auto_field = "django.db.models.BigAutoField"
