"""COCO exports keep the uploaded file names (unique within the export) and COCO's category
convention (ids from 1; masks without a category left out or under a named category), read back
by pycocotools. A project's jobs are listed by state, and a failed or cancelled job runs again."""

import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pycocotools.coco import COCO

from backend.annotations.models import Mask
from backend.jobs.models import Job
from backend.jobs.services import job_cancel, job_create, job_run
from engine import rle as rle_ops
from tests import media_factory as mf


@pytest.fixture
def coco_project(manager, client_for, project_factory, without_embedding_on_upload):
    project = project_factory(manager, categories=("cup", "plate"))
    api = client_for(manager)
    uploads = [("kitchen & co.jpg", 0), ("table.jpg", 1), ("table.jpg", 2)]  # two files with one name
    images = []
    for name, seed in uploads:
        answer = api.post(
            f"/api/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile(name, mf.jpeg_bytes(seed=seed))]},
            format="multipart",
        )
        images.append(answer.json()[0])
    cup, plate = project.categories.order_by("id")
    square = np.zeros((240, 320), np.uint8)
    square[20:60, 30:90] = 1
    for image, category in ((images[0], cup.pk), (images[1], plate.pk), (images[2], None)):
        body = {"image": image["id"], "rle": rle_ops.encode(square), "prompts": []}
        if category:
            body["category"] = category
        assert api.post("/api/masks/", body, format="json").status_code == 201
    return project, images


def _coco(tmp_path, project, **options) -> COCO:
    from backend.exports.services import export_to_path

    path = tmp_path / "coco.json"
    export_to_path(project, "coco", str(path), **options)
    return COCO(str(path))


def test_coco_uses_the_uploaded_names_unique_within_the_export(coco_project, tmp_path):
    project, images = coco_project
    coco = _coco(tmp_path, project)
    names = {image["id"]: coco.imgs[image["id"]]["file_name"] for image in images}
    assert names == {
        images[0]["id"]: "kitchen & co.jpg",  # as uploaded, not HTML-escaped
        images[1]["id"]: "table.jpg",
        images[2]["id"]: f"table-{images[2]['id']}.jpg",
    }


def test_coco_categories_start_at_one_and_uncategorised_masks_go_under_a_named_category(coco_project, tmp_path):
    project, images = coco_project
    coco = _coco(tmp_path, project, uncategorised="misc")
    assert [(c["id"], c["name"]) for c in coco.loadCats(coco.getCatIds())] == [(1, "cup"), (2, "plate"), (3, "misc")]
    by_image = {a["image_id"]: a["category_id"] for a in coco.loadAnns(coco.getAnnIds())}
    assert by_image == {images[0]["id"]: 1, images[1]["id"]: 2, images[2]["id"]: 3}


def test_coco_leaves_uncategorised_masks_out_when_asked(coco_project, tmp_path):
    project, images = coco_project
    coco = _coco(tmp_path, project, uncategorised="")
    assert [c["id"] for c in coco.loadCats(coco.getCatIds())] == [1, 2]
    assert sorted(a["image_id"] for a in coco.loadAnns(coco.getAnnIds())) == [images[0]["id"], images[1]["id"]]
    assert Mask.objects.filter(image__project=project).count() == 3


def test_the_export_api_takes_the_uncategorised_option(coco_project, client_for, manager):
    project, _ = coco_project
    api = client_for(manager)
    answer = api.post(f"/api/projects/{project.pk}/exports/", {"format": "coco", "uncategorised": ""}, format="json")
    assert answer.status_code == 202 and answer.json()["options"]["uncategorised"] == ""
    too_long = api.post(f"/api/projects/{project.pk}/exports/", {"format": "coco", "uncategorised": "x" * 101})
    assert too_long.status_code == 400 and "uncategorised" in too_long.json()


def test_a_projects_jobs_are_listed_by_state_and_a_failed_export_runs_again(coco_project, client_for, manager):
    from backend.exports.services import export_job_run

    project, _ = coco_project
    api = client_for(manager)
    export = api.post(f"/api/projects/{project.pk}/exports/", {"format": "coco"}, format="json").json()
    job_id = export["job"]["id"]
    broken = job_run(job_id, lambda job: 1 / 0)
    assert broken.state == "failed"
    failed = api.get(f"/api/projects/{project.pk}/jobs/?state=failed").json()["results"]
    assert [(j["id"], j["retryable"]) for j in failed if j["kind"] == "export"] == [(job_id, True)]
    assert api.get(f"/api/projects/{project.pk}/jobs/?state=nonsense").status_code == 400
    retried = api.post(f"/api/jobs/{job_id}/retry/")
    assert retried.status_code == 200 and retried.json()["state"] == "queued" and retried.json()["message"] == ""
    assert job_run(job_id, export_job_run).state == "succeeded"
    again = api.post(f"/api/jobs/{job_id}/retry/")
    assert again.status_code == 400 and "failed or cancelled" in again.json()["detail"]
    download = api.get(api.get(f"/api/exports/{export['id']}/").json()["download_url"])
    assert json.loads(b"".join(download.streaming_content))["annotations"]


def test_only_managers_and_the_creator_retry_and_some_kinds_never(coco_project, client_for, make_user):
    from backend.projects.models import Membership

    project, _ = coco_project
    annotator = make_user("retry-annotator")
    Membership.objects.create(user=annotator, project=project, role="annotator")
    job = job_create(kind="export", queue="cpu", task_name="exports.run_export", project=project)
    job_cancel(job)
    assert client_for(annotator).post(f"/api/jobs/{job.pk}/retry/").status_code == 403
    round_job = job_create(kind="training_round", queue="train", task_name="training.run_round", project=project)
    job_cancel(round_job)
    refused = client_for(project.memberships.get(role="manager").user).post(f"/api/jobs/{round_job.pk}/retry/")
    assert refused.status_code == 400 and "start a new one" in refused.json()["detail"]
    assert Job.objects.get(pk=round_job.pk).state == "cancelled"


def test_staff_create_accounts_and_nobody_else_learns_which_names_exist(make_user, client_for):
    staff, someone = make_user("boss", is_staff=True), make_user("someone")
    body = {"username": "new.person", "password": "a-long-first-password-7"}
    refused = client_for(someone).post("/api/users/", body, format="json")
    assert refused.status_code == 403 and "new.person" not in refused.content.decode()
    created = client_for(staff).post("/api/users/", body, format="json")
    assert created.status_code == 201 and created.json()["username"] == "new.person"
    again = client_for(staff).post("/api/users/", {**body, "username": "New.Person"}, format="json")
    assert again.status_code == 400 and "exists" in again.json()["username"][0]
    weak = client_for(staff).post("/api/users/", {"username": "x", "password": "123"}, format="json")
    assert weak.status_code == 400 and weak.json()["password"]
    from rest_framework.test import APIClient

    signed_in = APIClient().post("/api/auth/token/", body, format="json")
    assert signed_in.status_code == 200 and signed_in.json()["token"]
