"""List, metrics and export timings as a project grows to 10k and then 1M masks (rows generated in
bulk by PostgreSQL, 100 masks per image, a mix of sources, statuses, annotators, versions and 30
days; an image's masks are made on one day, at one stage and version, by one or two people), against
the ways they were read before, in the same run:

- list: a page of the mask list deep in the project (the middle), by keyset (`?cursor=`) against
  page numbers (OFFSET and COUNT(*), still what a request without a cursor gets);
- metrics: GET /api/projects/{id}/metrics/?by=day,stage from the rollup, against the same figures
  computed from every mask (engine_metrics);
- export: a COCO export of the project's kept masks (keyset batches), masks per second.

Requests go through Django's test client in this process (the view, serializer and database work
of a request; no HTTP). Each figure is the median of `repeat` runs after one warm-up."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

PER_IMAGE = 100


def median_ms(call, repeat: int = 5) -> float:
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def grow(project, users: list, masks: int) -> None:
    """Add images and masks in bulk until the project holds `masks` masks."""
    from django.db import connection

    from backend.annotations.models import Mask
    from engine import rle as rle_ops

    have = Mask.objects.filter(image__project=project).count()
    add = masks - have
    if add <= 0:
        return
    shape = np.zeros((480, 640), bool)
    shape[100:140, 200:260] = True
    rle = json.dumps(rle_ops.encode(shape))
    ids = [user.pk for user in users]
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO media_image (project_id, sha256, storage_key, file_name, format, size_bytes, width, height,
                                        created_at)
               SELECT %s, md5(%s || g::text) || md5(g::text), 'bench/' || g, 'bench-' || g || '.png', 'png', 1, 640,
                      480, now()
               FROM generate_series(%s, %s) g RETURNING id""",
            [project.pk, str(project.pk), have // PER_IMAGE, (have + add) // PER_IMAGE - 1],
        )
        first_image = min(row[0] for row in cursor.fetchall())
        cursor.execute(
            """INSERT INTO annotations_mask (image_id, rle, area, bbox, source, status, predicted_iou,
                   stability_score, point_coords, stage, edited, model_version, version, seconds, clicks,
                   created_by_id, updated_by_id, created_at, updated_at)
               SELECT %s + (g / %s), %s::jsonb, 2400, '[200, 100, 60, 40]'::jsonb,
                      (ARRAY['manual', 'assisted', 'auto', 'auto'])[1 + g %% 4],
                      (ARRAY['submitted', 'accepted', 'proposed', 'rejected', 'submitted'])[1 + (g / 4) %% 5],
                      0.9, 0.95, '[]'::jsonb, (ARRAY['assisted', 'semi', 'auto'])[1 + (i / 7) %% 3],
                      g %% 7 = 0, 'v' || (i / 11 %% 3), 1, (g %% 11)::float, g %% 6,
                      (%s::bigint[])[1 + i %% %s], CASE WHEN g %% 3 = 0 THEN (%s::bigint[])[1 + (i + 1) %% %s] END,
                      now() - make_interval(days => i %% 30), now()
               FROM generate_series(0, %s) g, LATERAL (SELECT (%s + g) / %s AS i) image""",
            [first_image, PER_IMAGE, rle, ids, len(ids), ids, len(ids), add - 1, have, PER_IMAGE],
        )
        cursor.execute("ANALYZE annotations_mask; ANALYZE media_image; ANALYZE annotations_maskrollup")


def measure(project, user, masks: int) -> dict:
    from rest_framework.test import APIClient

    from backend.annotations.metrics import engine_metrics
    from backend.annotations.models import Mask
    from backend.exports.services import export_to_path

    client = APIClient()
    client.force_authenticate(user)
    base = f"/api/masks/?project={project.pk}"
    ordered = Mask.objects.filter(image__project=project).order_by("image_id", "id")
    middle = ordered.values_list("image_id", "id")[masks // 2]

    def get(url):
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        return answer

    keyset = median_ms(lambda: get(f"{base}&cursor={middle[0]}.{middle[1]}"))
    page_numbers = median_ms(lambda: get(f"{base}&page={masks // 2 // 50}"))
    metrics = median_ms(lambda: get(f"/api/projects/{project.pk}/metrics/?by=day,stage"))
    every_mask = median_ms(lambda: engine_metrics(Mask.objects.filter(image__project=project), ["day", "stage"]))
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        counts = export_to_path(project, "coco", str(Path(folder) / "coco.json"))
        export_seconds = time.perf_counter() - started
    exported = counts.get("annotations") or counts.get("masks") or 0
    return {
        "masks": masks,
        "list_keyset_ms": keyset,
        "list_page_number_ms": page_numbers,
        "metrics_rollup_ms": metrics,
        "metrics_from_every_mask_ms": every_mask,
        "export_seconds": round(export_seconds, 1),
        "export_masks": exported,
        "export_masks_per_second": round(exported / export_seconds) if export_seconds else None,
    }


def at_sizes(sizes=(10_000, 1_000_000)) -> list[dict]:
    from django.contrib.auth import get_user_model

    from backend.projects.models import Project

    model = get_user_model()
    users = [model.objects.create_user(f"annotator-{n}") for n in range(5)]
    staff = model.objects.create_user("bench-queries", is_staff=True)
    project = Project.objects.create(name="queries", created_by=staff)
    rows = []
    for size in sizes:
        grow(project, users, size)
        rows.append(measure(project, staff, size))
    return rows
