# Hand-written: Project and Category move from media, Membership from accounts, to the new
# projects app. Their tables keep their names (db_table), so these steps change only Django's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('exports', '0004_alter_exportjob_format'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='exportjob',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to='projects.project'),
                ),

            ],
            database_operations=[],
        ),
    ]
