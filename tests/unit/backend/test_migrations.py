"""Upgrading a database made before Project, Category and Membership moved to the projects app
keeps every row, and which version serves a project moves from the old foreign key to the status."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("media", "0005_project_qa_taxonomy_project_review_required"),
    ("accounts", "0001_initial"),
    ("jobs", "0002_job_route_job_task_name_alter_job_queue"),
    ("annotations", "0004_regioncaption_videoquestion_review"),
    ("exports", "0004_alter_exportjob_format"),
    ("training", "0001_initial"),
    ("inference", "0002_videosession_videoprompt"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_survive_the_move_and_the_serving_version_becomes_a_status():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="ann")
    project = old.get_model("media", "Project").objects.create(name="photos", kind="image")
    other = old.get_model("media", "Project").objects.create(name="clips", kind="video")
    category = old.get_model("media", "Category").objects.create(project=project, name="dog", color="#112233")
    old.get_model("accounts", "Membership").objects.create(user=user, project=project, role="reviewer")
    image = old.get_model("media", "Image").objects.create(
        project=project, sha256="a" * 64, storage_key="k", format="jpeg", size_bytes=1, width=4, height=3
    )
    old.get_model("annotations", "Mask").objects.create(
        image=image, category=category, rle={"size": [3, 4], "counts": "0<"}, area=12, bbox=[0, 0, 4, 3]
    )
    versions = old.get_model("training", "ModelVersion")
    serving = versions.objects.create(project=project, spec="sam:tiny", version="v1", checkpoint_key="c1", sha256="1")
    # Before the move a version could be marked active without serving (only the foreign key counted).
    stale = versions.objects.create(
        project=project, spec="sam:tiny", version="v2", checkpoint_key="c2", sha256="2", status="active"
    )
    not_serving = versions.objects.create(
        project=other, spec="sam:tiny", version="v3", checkpoint_key="c3", sha256="3", status="active"
    )
    old.get_model("media", "Project").objects.filter(pk=project.pk).update(active_model_version=serving)
    old.get_model("jobs", "Job").objects.create(
        kind="auto_annotate", project=project, subject_type="media.project", subject_id=project.pk
    )

    new = _migrate(latest)
    moved = new.get_model("projects", "Project").objects.get(pk=project.pk)
    assert moved.name == "photos" and moved.kind == "image"
    assert new.get_model("projects", "Category").objects.get(pk=category.pk).project_id == project.pk
    membership = new.get_model("projects", "Membership").objects.get(user_id=user.pk)
    assert (membership.project_id, membership.role) == (project.pk, "reviewer")
    assert new.get_model("annotations", "Mask").objects.get(image_id=image.pk).category_id == category.pk
    statuses = dict(new.get_model("training", "ModelVersion").objects.values_list("version", "status"))
    assert statuses == {serving.version: "active", stale.version: "retired", not_serving.version: "retired"}
    job = new.get_model("jobs", "Job").objects.get(project_id=project.pk)
    assert job.subject_type == "projects.project"
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert content_types.filter(app_label="projects", model="project").exists()
    assert not content_types.filter(app_label="media", model="project").exists()
