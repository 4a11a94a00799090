# Hand-written: Project and Category move from media, Membership from accounts, to the new
# projects app. Their tables keep their names (db_table), so these steps change only Django's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0006_remove_project_active_model_version"),
        ("projects", "0001_initial"),
        ("accounts", "0002_delete_membership"),
        ("annotations", "0005_alter_mask_category_alter_masklet_category"),
        ("exports", "0005_alter_exportjob_project"),
        ("jobs", "0003_alter_job_project"),
        ("training", "0003_alter_modelversion_project_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='project',
                    name='created_by',
                ),
                migrations.AlterField(
                    model_name='image',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)ss', to='projects.project'),
                ),
                migrations.AlterField(
                    model_name='video',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)ss', to='projects.project'),
                ),
                migrations.DeleteModel(
                    name='Category',
                ),

                migrations.DeleteModel(
                    name='Project',
                ),

            ],
            database_operations=[],
        ),
    ]
