# Hand-written: Project and Category move from media, Membership from accounts, to the new
# projects app. Their tables keep their names (db_table), so these steps change only Django's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("training", "0002_serving_version_from_status"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='modelversion',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='model_versions', to='projects.project'),
                ),
                migrations.AlterField(
                    model_name='traininground',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training_rounds', to='projects.project'),
                ),
            ],
            database_operations=[],
        ),
        # Which version serves a project is its one active version (none: the deployment's MODEL).
        migrations.AddConstraint(
            model_name='modelversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('project',), name='one_active_version_per_project'),
        ),
    ]
