"""The engine metrics read from the rollup (PostgreSQL triggers) equal the metrics computed from
every mask, after every kind of write: saves by people, automatic masks stored in bulk, proposals
accepted and rejected, edits, deletes, a deleted image."""

import numpy as np
import pytest
from django.db import connection, transaction

from backend.annotations.bulk import automatic_masks_store
from backend.annotations.metrics import engine_metrics
from backend.annotations.models import Mask, MaskRollup
from backend.annotations.rollup import rollup_metrics
from backend.annotations.services import mask_create, mask_delete, mask_update, proposal_decide
from backend.media.models import Image
from engine import rle as rle_ops

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the rollup is kept by PostgreSQL triggers")
GROUPINGS = [["day"], ["stage"], ["annotator"], ["model_version"], ["annotator", "day"], ["stage", "model_version"]]


def box(y: int, x: int) -> dict:
    mask = np.zeros((48, 64), bool)
    mask[y : y + 6, x : x + 9] = True
    return rle_ops.encode(mask)


def record(y: int, x: int) -> dict:
    rle = box(y, x)
    return {"segmentation": rle, "area": rle_ops.area(rle), "predicted_iou": 0.9, "stability_score": 0.95}


def same_metrics(project):
    for group_by in GROUPINGS:
        expected = engine_metrics(Mask.objects.filter(image__project=project), group_by)
        assert rollup_metrics(project.pk, group_by) == expected, group_by


@pytest.fixture
def images(db, manager, project_factory):
    project = project_factory(manager)
    return [
        Image.objects.create(
            project=project, sha256=f"{n:064x}", storage_key=f"{n}.png", format="png", size_bytes=1, width=64, height=48
        )
        for n in range(3)
    ]


def test_the_rollup_follows_every_write(images, manager, make_user):
    project = images[0].project
    annotator = make_user("rollup-annotator")
    for n, image in enumerate(images):
        mask_create(image=image, user=annotator, rle=box(n, n), seconds=3.5 + n, clicks=2 + n, source="assisted")
    mask_create(image=images[0], user=manager, rle=box(20, 20), seconds=1.25, clicks=1, model_version="v1")
    for image in images[:2]:
        with transaction.atomic():
            automatic_masks_store(
                image=image, records=[record(10, 5), record(30, 40)], model_version="v2", status="proposed"
            )
    same_metrics(project)

    proposals = list(Mask.objects.filter(status="proposed").order_by("id"))
    proposal_decide(mask=proposals[0], user=annotator, version=1, accept=True, seconds=2.0, clicks=1)
    proposal_decide(mask=proposals[1], user=manager, version=1, accept=False, seconds=0.5)
    edited = Mask.objects.get(pk=proposals[2].pk)
    proposal_decide(mask=edited, user=annotator, version=1, accept=True)
    edited.refresh_from_db()
    mask_update(mask=edited, user=annotator, version=edited.version, rle=box(2, 2), seconds=4.0, clicks=3)
    same_metrics(project)

    first = Mask.objects.filter(source="assisted").order_by("id").first()
    mask_delete(mask=first, version=first.version)
    Mask.objects.filter(pk=proposals[3].pk).update(stage="semi", model_version="v3")  # a bulk update
    same_metrics(project)

    images[1].delete()  # its masks go with it, and so do its rollup rows
    same_metrics(project)
    assert not MaskRollup.objects.filter(image_id=images[1].pk).exists()
    assert MaskRollup.objects.filter(project_id=project.pk, total__lte=0).count() == 0
    assert sum(MaskRollup.objects.values_list("total", flat=True)) == Mask.objects.count()
