# Which version serves a project becomes ModelVersion.status alone (the Project.active_model_version
# foreign key goes away in media 0006): make the statuses agree with the foreign key first.

from django.db import migrations


def statuses_from_foreign_key(apps, schema_editor):
    Project = apps.get_model("media", "Project")
    ModelVersion = apps.get_model("training", "ModelVersion")
    for project_id, version_id in Project.objects.values_list("pk", "active_model_version_id"):
        others = ModelVersion.objects.filter(project_id=project_id, status="active")
        if version_id is not None:
            others = others.exclude(pk=version_id)
            ModelVersion.objects.filter(pk=version_id).update(status="active")
        others.update(status="retired")


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0005_project_qa_taxonomy_project_review_required"),
        ("training", "0001_initial"),
    ]

    operations = [migrations.RunPython(statuses_from_foreign_key, migrations.RunPython.noop)]
