"""Spell the instance-segmentation task as the model zoo does: ``instance_segmentation``."""

from django.db import migrations, models

OLD, NEW = "segmentation", "instance_segmentation"


def forwards(apps, schema_editor):
    apps.get_model("datasets", "Dataset").objects.filter(task=OLD).update(task=NEW)


def backwards(apps, schema_editor):
    apps.get_model("datasets", "Dataset").objects.filter(task=NEW).update(task=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dataset",
            name="task",
            field=models.CharField(
                choices=[
                    ("classification", "Classification"),
                    ("regression", "Regression"),
                    ("instance_segmentation", "Instance segmentation"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
