"""Automatic masks stored per second into PostgreSQL: automatic_masks_store (what every automatic
chunk calls once per image) on images of 100 masks each, records made beforehand as engine.amg
returns them (RLEs of rectangles at 480x640), by the function a run stores each image with
(backend.inference.automatic.image_masks_store: its AutoMaskRun row and its masks in one
transaction)."""

from __future__ import annotations

import time

import numpy as np


def records(count: int, height: int = 480, width: int = 640) -> list[dict]:
    from engine import rle as rle_ops

    rng = np.random.default_rng(0)
    made = []
    for _ in range(count):
        y, x = int(rng.integers(0, height - 40)), int(rng.integers(0, width - 40))
        h, w = int(rng.integers(8, 40)), int(rng.integers(8, 40))
        mask = np.zeros((height, width), bool)
        mask[y : y + h, x : x + w] = True
        made.append(
            {
                "segmentation": rle_ops.encode(mask),
                "bbox": [float(x), float(y), float(w - 1), float(h - 1)],  # SAM XYWH, as engine.amg gives
                "area": h * w,
                "predicted_iou": float(rng.random()),
                "stability_score": float(rng.random()),
                "point_coords": [[x + 1.0, y + 1.0]],
                "crop_box": [0.0, 0.0, float(width), float(height)],
            }
        )
    return made


def masks_per_second(project, images: int = 100, per_image: int = 100) -> dict:

    from backend.annotations.models import Mask
    from backend.inference.automatic import image_masks_store
    from backend.jobs.models import Job
    from backend.media.models import Image

    made = records(per_image)
    targets = [
        Image.objects.create(
            project=project,
            sha256=f"{n:064x}",
            width=640,
            height=480,
            storage_key=f"bench/{n}.png",
            format="png",
            size_bytes=1,
        )
        for n in range(images)
    ]
    for image in targets:
        image.project = project
    job = Job.objects.create(kind="auto_annotate", project=project)
    started = time.perf_counter()
    for image in targets:
        image_masks_store(job, image, made, model_version="bench", status=Mask.Status.SUBMITTED, seconds=0.0)
    seconds = time.perf_counter() - started
    stored = Mask.objects.filter(image__in=targets).count()
    return {"masks": stored, "seconds": round(seconds, 2), "masks_per_second": round(stored / seconds)}
