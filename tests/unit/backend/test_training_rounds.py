"""Rounds and model versions: one round at a time, who may start one, the threshold and schedule
triggers, manual promotion and roll back, and a project served by its active version."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.jobs.models import Job
from backend.training.models import ModelVersion, TrainingRound
from backend.training.selectors import active_version
from backend.training.tasks import scheduled_round
from engine import rle as rle_ops
from tests import media_factory as mf


@pytest.fixture
def project(manager, project_factory, client_for, without_embedding_on_upload):
    project = project_factory(manager)
    client_for(manager).post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(60, 40, seed=41))]},
        format="multipart",
    )
    return project


def test_one_round_at_a_time_and_only_managers_start_them(project, manager, make_user, client_for):
    annotator = make_user()
    from backend.projects.models import Membership

    Membership.objects.create(user=annotator, project=project, role="annotator")
    assert client_for(annotator).post(f"/api/projects/{project.pk}/rounds/", {}, format="json").status_code == 403
    api = client_for(manager)
    first = api.post(f"/api/projects/{project.pk}/rounds/", {"config": {"steps": 5}}, format="json")
    assert first.status_code == 202 and first.json()["job"]["queue"] == "train"
    second = api.post(f"/api/projects/{project.pk}/rounds/", {}, format="json")
    assert second.status_code == 409 and second.json()["current"]["id"] == first.json()["id"]
    assert api.post(f"/api/projects/{project.pk}/rounds/", {"config": {"steps": -1}}, format="json").status_code == 400
    Job.objects.filter(pk=first.json()["job"]["id"]).update(state="succeeded")
    assert api.post(f"/api/projects/{project.pk}/rounds/", {}, format="json").status_code == 202


def test_schedule_and_threshold_start_rounds(project, manager, client_for, django_capture_on_commit_callbacks):
    scheduled_round(project.pk)
    assert TrainingRound.objects.filter(project=project, trigger="schedule").count() == 1
    scheduled_round(project.pk)  # busy: skipped, not queued twice
    assert TrainingRound.objects.filter(project=project).count() == 1
    TrainingRound.objects.update(created_at="2000-01-01T00:00:00Z")
    Job.objects.update(state="succeeded")
    project.retrain_every_masks = 2
    project.save()
    api = client_for(manager)
    image = project.images.get()
    mask = np.zeros((40, 60), bool)
    mask[5:10, 5:10] = True
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/masks/", {"image": image.pk, "rle": rle_ops.encode(mask)}, format="json")
    assert not TrainingRound.objects.filter(trigger="threshold").exists()  # one mask of the two needed
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/masks/", {"image": image.pk, "rle": rle_ops.encode(mask)}, format="json")
    assert TrainingRound.objects.filter(project=project, trigger="threshold").count() == 1


def test_promote_roll_back_and_the_project_is_served_by_its_active_version(project, manager, client_for):
    api = client_for(manager)
    parent = ModelVersion.objects.create(
        project=project, spec="sam:tiny", version="sam:tiny@aaaaaaaaaaaa", checkpoint_key="x", sha256="a" * 64
    )
    child = ModelVersion.objects.create(
        project=project,
        spec="sam:tiny",
        version="sam:tiny@bbbbbbbbbbbb",
        parent_version=parent.version,
        checkpoint_key="y",
        sha256="b" * 64,
    )
    assert api.post(f"/api/model-versions/{parent.pk}/promote/").json()["status"] == "active"
    assert api.post(f"/api/model-versions/{child.pk}/promote/").json()["status"] == "active"
    parent.refresh_from_db()
    assert parent.status == "retired" and active_version(project).pk == child.pk
    rolled = api.post(f"/api/projects/{project.pk}/model-versions/rollback/").json()
    assert rolled["active"]["version"] == parent.version
    assert active_version(project).pk == parent.pk
    assert api.post(f"/api/projects/{project.pk}/model-versions/rollback/").json()["active"] is None
    assert active_version(project) is None
    listed = api.get(f"/api/projects/{project.pk}/model-versions/").json()
    assert {v["status"] for v in listed["results"]} == {"retired"}
