# The serving version is read from training's ModelVersion.status (synced in training 0002).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0005_project_qa_taxonomy_project_review_required"),
        ("training", "0002_serving_version_from_status"),
    ]

    operations = [migrations.RemoveField(model_name="project", name="active_model_version")]
