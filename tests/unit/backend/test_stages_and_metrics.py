"""Project stages, proposals accepted or rejected by annotators, and the engine metrics."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import Mask
from backend.inference.automatic import batch_image_ids
from backend.jobs.models import Job
from engine import rle as rle_ops
from tests import media_factory as mf


@pytest.fixture
def project_with_image(manager, project_factory, client_for, make_user):
    annotator = make_user("stage-annotator")
    project = project_factory(manager, members=[(annotator, "annotator")])
    image = (
        client_for(manager)
        .post(
            f"/api/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(80, 60, seed=31))]},
            format="multipart",
        )
        .json()[0]
    )
    return project, image, annotator


def proposal(image_id: int, rows: slice) -> Mask:
    mask = np.zeros((60, 80), bool)
    mask[rows, 10:30] = True
    rle = rle_ops.encode(mask)
    return Mask.objects.create(
        image_id=image_id,
        rle=rle,
        area=int(mask.sum()),
        bbox=rle_ops.bbox_coco(rle),
        source="auto",
        status="proposed",
        predicted_iou=0.95,
        stability_score=0.97,
        stage="semi",
    )


def test_only_managers_change_the_stage_and_semi_schedules_proposals(project_with_image, client_for, manager):
    project, image, annotator = project_with_image
    assert (
        client_for(annotator).patch(f"/api/projects/{project.pk}/", {"stage": "semi"}, format="json").status_code == 403
    )
    response = client_for(manager).patch(f"/api/projects/{project.pk}/", {"stage": "semi"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "semi"
    [batch] = Job.objects.filter(kind="propose_masks_batch", project=project)  # one job over its images
    assert batch.subject_id == project.pk and batch.queue == "gpu"
    assert batch_image_ids(batch) == [image["id"]]
    bad = client_for(manager).patch(f"/api/projects/{project.pk}/", {"stage": "everything"}, format="json")
    assert bad.status_code == 400


def test_annotators_accept_or_reject_proposals_and_metrics_count_them(project_with_image, client_for):
    project, image, annotator = project_with_image
    api = client_for(annotator)
    kept, edited, dropped = (
        proposal(image["id"], slice(5, 15)),
        proposal(image["id"], slice(20, 30)),
        proposal(image["id"], slice(35, 45)),
    )
    listed = api.get(f"/api/masks/?image={image['id']}&status=proposed").json()
    assert listed["count"] == 3
    counted = api.get(f"/api/images/{image['id']}/").json()
    assert (counted["mask_count"], counted["proposal_count"]) == (0, 3)  # proposals are not work done
    assert api.get(f"/api/projects/{project.pk}/images/next/").json()["id"] == image["id"]
    category = project.categories.first().pk
    accepted = api.post(
        f"/api/masks/{kept.pk}/accept/", {"version": 1, "seconds": 1.5, "category": category}, format="json"
    ).json()
    assert (accepted["status"], accepted["category"], accepted["seconds"]) == ("submitted", category, 1.5)
    moved = np.zeros((60, 80), bool)
    moved[20:32, 10:30] = True
    patched = api.patch(
        f"/api/masks/{edited.pk}/",
        {"version": 1, "rle": rle_ops.encode(moved), "seconds": 4, "clicks": 0},
        format="json",
    ).json()
    assert patched["edited"] is True
    assert api.post(f"/api/masks/{edited.pk}/accept/", {"version": 2}, format="json").status_code == 200
    assert api.post(f"/api/masks/{dropped.pk}/reject/", {"version": 1}, format="json").json()["status"] == "rejected"
    again = api.post(f"/api/masks/{dropped.pk}/reject/", {"version": 2}, format="json")
    assert again.status_code == 400  # no longer a proposal
    stale = api.post(f"/api/masks/{kept.pk}/accept/", {"version": 1}, format="json")
    assert stale.status_code == 409
    # a person's mask, with seconds and clicks
    api.post(
        "/api/masks/", {"image": image["id"], "rle": rle_ops.encode(moved), "seconds": 12, "clicks": 3}, format="json"
    )
    rows = api.get(f"/api/projects/{project.pk}/metrics/?by=stage").json()["rows"]
    semi = next(r for r in rows if r["stage"] == "semi")
    assert semi["proposals_decided"] == 3 and semi["proposals_unchanged"] == 1
    assert semi["share_accepted_unchanged"] == pytest.approx(1 / 3, abs=1e-3)
    assisted = next(r for r in rows if r["stage"] == "assisted")
    assert assisted["seconds_per_mask"] == 12 and assisted["clicks_per_mask"] == 3
    by_annotator = api.get(f"/api/projects/{project.pk}/metrics/?by=annotator,day").json()["rows"]
    assert by_annotator[0]["annotator"] == "stage-annotator" and by_annotator[0]["masks"] == 3
    assert by_annotator[0]["masks_per_image"] == 3.0
    assert api.get(f"/api/projects/{project.pk}/metrics/?by=colour").status_code == 400


def test_auto_annotate_is_for_managers_and_never_runs_twice_at_once(project_with_image, client_for, manager):
    project, _, annotator = project_with_image
    assert client_for(annotator).post(f"/api/projects/{project.pk}/auto-annotate/").status_code == 403
    first = client_for(manager).post(f"/api/projects/{project.pk}/auto-annotate/")
    second = client_for(manager).post(f"/api/projects/{project.pk}/auto-annotate/")
    assert first.status_code == 202 and second.json()["id"] == first.json()["id"]
