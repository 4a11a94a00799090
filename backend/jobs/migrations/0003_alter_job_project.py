# Hand-written: Project and Category move from media, Membership from accounts, to the new
# projects app. Their tables keep their names (db_table), so these steps change only Django's state.

import django.db.models.deletion
from django.db import migrations, models


def subject_labels(apps, schema_editor):
    """Jobs name their subject by model label, which moved with the model."""
    Job = apps.get_model("jobs", "Job")
    Job.objects.filter(subject_type="media.project").update(subject_type="projects.project")


class Migration(migrations.Migration):
    dependencies = [
        ('jobs', '0002_job_route_job_task_name_alter_job_queue'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='job',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='projects.project'),
                ),

            ],
            database_operations=[],
        ),
        migrations.RunPython(subject_labels, migrations.RunPython.noop),
    ]
