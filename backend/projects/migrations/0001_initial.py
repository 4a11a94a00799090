# Hand-written: Project and Category move from media, Membership from accounts, to the new
# projects app. Their tables keep their names (db_table), so these steps change only Django's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_types(apps, schema_editor):
    """Admin permissions and log entries follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in (("media", "project"), ("media", "category"), ("accounts", "membership")):
        ContentType.objects.filter(app_label=old_app, model=model).update(app_label="projects")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("media", "0006_remove_project_active_model_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Project',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True)),
                        ('kind', models.CharField(choices=[('image', 'Image'), ('video', 'Video')], default='image', max_length=8)),
                        ('stage', models.CharField(choices=[('assisted', 'assisted-manual'), ('semi', 'semi-automatic'), ('auto', 'fully automatic')], default='assisted', max_length=8)),
                        ('annotation_fps', models.PositiveSmallIntegerField(default=6)),
                        ('description', models.TextField(blank=True)),
                        ('gate_metric', models.CharField(default='NoC@90', help_text='a candidate goes live only if better on this', max_length=16)),
                        ('review_required', models.BooleanField(default=False, help_text='exports take only reviewed-and-accepted items')),
                        ('qa_taxonomy', models.JSONField(blank=True, default=dict, help_text='video QA: {question type: [subtypes]}')),
                        ('amg_settings', models.JSONField(blank=True, default=dict, help_text="automatic-mask generator settings over SAM's defaults")),
                        ('retrain_every_masks', models.PositiveIntegerField(blank=True, help_text='start a round every N newly accepted masks', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'media_project',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('annotator', 'Annotator'), ('reviewer', 'Reviewer'), ('manager', 'Manager'), ('researcher', 'Researcher')], max_length=16)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='projects.project')),
                    ],
                    options={
                        'db_table': 'accounts_membership',
                        'ordering': ['project_id', 'user_id'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'project'), name='one_membership_per_project')],
                    },
                ),
                migrations.CreateModel(
                    name='Category',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('color', models.CharField(default='#1f77b4', max_length=7)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='projects.project')),
                    ],
                    options={
                        'db_table': 'media_category',
                        'ordering': ['project_id', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('project', 'name'), name='unique_category_name')],
                    },
                ),

            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, migrations.RunPython.noop),
    ]
