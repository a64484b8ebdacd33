"""A run copies its dataset's task: rename ``segmentation`` to ``instance_segmentation`` too."""

from django.db import migrations

OLD, NEW = "segmentation", "instance_segmentation"


def forwards(apps, schema_editor):
    apps.get_model("training", "TrainingRun").objects.filter(task=OLD).update(task=NEW)


def backwards(apps, schema_editor):
    apps.get_model("training", "TrainingRun").objects.filter(task=NEW).update(task=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_worker_beat"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
