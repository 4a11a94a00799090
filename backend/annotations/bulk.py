"""Automatic masks stored in bulk: one COPY per image on PostgreSQL (every automatic chunk stores
hundreds of masks per image), bulk_create elsewhere. The records are engine.amg's."""

import json

from django.db import connection
from django.utils import timezone

from backend.annotations.models import AutoMaskRun, Mask
from backend.media.models import Image
from engine import rle as rle_ops

COLUMNS = (
    "image_id", "rle", "area", "bbox", "source", "status", "predicted_iou", "stability_score", "point_coords",
    "crop_box", "stage", "edited", "model_version", "version", "seconds", "clicks", "created_at", "updated_at",
)  # fmt: skip


def coco_bbox(record: dict) -> list[float]:
    """COCO [x, y, w, h] (w = x_max - x_min + 1) from the generator's SAM XYWH box (w = x_max - x_min,
    from the same full-resolution mask), without decoding the RLE again; decoded when absent."""
    box = record.get("bbox")
    if box is None:
        return rle_ops.bbox_coco(record["segmentation"])
    if int(record["area"]) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    x, y, w, h = (float(v) for v in box)
    return [x, y, w + 1.0, h + 1.0]


def auto_mask_run_insert(*, job_id: int, image_id: int, model_version: str, mask_count: int, seconds: float) -> bool:
    """Record that a run did an image, unless it has already (INSERT ... ON CONFLICT DO NOTHING on
    the (job, image) unique constraint, one round trip). Returns whether the row was inserted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AutoMaskRun._meta.db_table} (job_id, image_id, model_version, mask_count, seconds, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (job_id, image_id) DO NOTHING",
            [job_id, image_id, model_version, mask_count, seconds, timezone.now()],
        )
        return cursor.rowcount == 1


def automatic_masks_store(*, image: Image, records: list[dict], model_version: str, status: str) -> int:
    """Insert automatic masks (records as engine.amg returns them, RLEs made by our own code) and
    return how many. Call it inside the transaction that records the image as done.

    On PostgreSQL that transaction commits without waiting for its WAL flush (synchronous_commit
    off, for this transaction only): a crash can lose the last images' masks, but never apart
    from their AutoMaskRun row (same transaction), so those images are simply done again; and the
    chunk's end, committed normally afterwards, flushes every earlier commit with it."""
    if not records:
        return 0
    if connection.vendor != "postgresql":
        masks = [Mask(image=image, **_fields(r, image, model_version, status)) for r in records]
        return len(Mask.objects.bulk_create(masks, batch_size=500))
    now = timezone.now()
    stage = image.project.stage
    dumps = json.dumps
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {Mask._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for r in records:
            copy.write_row(
                (
                    image.pk, dumps(r["segmentation"]), int(r["area"]), dumps(coco_bbox(r)), Mask.Source.AUTO, status,
                    float(r["predicted_iou"]), float(r["stability_score"]), dumps(r.get("point_coords", [])),
                    dumps(r.get("crop_box")), stage, False, model_version, 1, 0.0, 0, now, now,
                )
            )  # fmt: skip
    return len(records)


def _fields(r: dict, image: Image, model_version: str, status: str) -> dict:
    return {
        "rle": r["segmentation"],
        "area": int(r["area"]),
        "bbox": coco_bbox(r),
        "source": Mask.Source.AUTO,
        "status": status,
        "predicted_iou": float(r["predicted_iou"]),
        "stability_score": float(r["stability_score"]),
        "point_coords": r.get("point_coords", []),
        "crop_box": r.get("crop_box"),
        "model_version": model_version,
        "stage": image.project.stage,
    }
