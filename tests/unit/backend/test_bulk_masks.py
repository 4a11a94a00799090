"""Automatic masks stored in bulk (COPY on PostgreSQL) are the same rows the ORM would write, with
COCO boxes read off the generator's boxes equal to the boxes of the RLEs themselves."""

from pathlib import Path

import numpy as np
import pytest
from django.db import transaction

from backend.annotations.bulk import automatic_masks_store, coco_bbox
from backend.annotations.models import Mask
from backend.media.models import Image
from engine import rle as rle_ops
from engine.amg import AmgSettings, AutomaticMaskGenerator
from engine.synthetic import make_scene
from models.registry import resolve


@pytest.fixture
def image(db, manager, project_factory):
    project = project_factory(manager)
    return Image.objects.create(
        project=project, sha256="a" * 64, storage_key="x.png", format="png", size_bytes=1, width=64, height=48
    )


def generated_records() -> list[dict]:
    pixels, _ = make_scene(seed=3, height=48, width=64, n_shapes=3)
    segmenter = resolve("classical", Path("unused")).segmenter
    settings = AmgSettings(points_per_side=4, pred_iou_thresh=0.0, stability_score_thresh=0.0)
    return AutomaticMaskGenerator(segmenter, settings).generate(pixels)


def test_stored_masks_keep_every_field_and_the_rle_box(image):
    records = generated_records()
    assert records
    with transaction.atomic():
        assert automatic_masks_store(image=image, records=records, model_version="v1", status="proposed") == len(
            records
        )
    stored = list(Mask.objects.filter(image=image).order_by("id"))
    assert len(stored) == len(records)
    for mask, record in zip(stored, records, strict=True):
        assert mask.rle == record["segmentation"] and mask.area == record["area"] == rle_ops.area(mask.rle)
        assert mask.bbox == rle_ops.bbox_coco(record["segmentation"])  # from the RLE, independently
        assert (mask.source, mask.status, mask.model_version, mask.version) == ("auto", "proposed", "v1", 1)
        assert mask.predicted_iou == pytest.approx(record["predicted_iou"])
        assert mask.point_coords == record["point_coords"] and mask.crop_box == record["crop_box"]
        assert mask.stage == image.project.stage and mask.created_at is not None and not mask.edited


def test_an_empty_mask_has_a_zero_box():
    empty = rle_ops.encode(np.zeros((4, 5), bool))
    assert coco_bbox({"segmentation": empty, "bbox": [0, 0, 0, 0], "area": 0}) == [0.0, 0.0, 0.0, 0.0]
    assert coco_bbox({"segmentation": empty, "area": 0}) == rle_ops.bbox_coco(empty)


def test_an_image_is_stored_once_per_run(image):
    from backend.annotations.models import AutoMaskRun
    from backend.inference.automatic import image_masks_store
    from backend.jobs.models import Job

    run = Job.objects.create(kind="auto_annotate", project=image.project)
    records = generated_records()
    stored = dict(model_version="v1", status="submitted", seconds=0.5)
    assert image_masks_store(run, image, records, **stored) is True
    assert image_masks_store(run, image, records, **stored) is False  # a second attempt writes nothing
    assert Mask.objects.filter(image=image).count() == len(records)
    [row] = AutoMaskRun.objects.filter(job=run, image=image)
    assert (row.mask_count, row.model_version, row.seconds) == (len(records), "v1", 0.5)
    other = Job.objects.create(kind="auto_annotate", project=image.project)
    assert image_masks_store(other, image, records, **stored) is True  # another run does it again
