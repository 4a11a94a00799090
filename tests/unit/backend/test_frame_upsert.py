"""masklet_frames_upsert writes what the ORM would: new frames inserted, a masklet's existing frame
overwritten, other rows untouched, and the values read back as the ORM wrote them (the masklets
endpoint's `updated_after` cursor compares the timestamps it stored)."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from backend.annotations.frame_upsert import FrameRow, masklet_frames_upsert
from backend.annotations.models import Masklet, MaskletFrame
from engine import rle as rle_ops


def _rle(width: int) -> dict:
    mask = np.zeros((64, 96), bool)
    mask[10:20, :width] = True
    return rle_ops.encode(mask)


def test_inserts_overwrites_and_reads_back_like_the_orm(video):
    first, second = (Masklet.objects.create(video=video, object_id=n) for n in (1, 2))
    earlier = timezone.now() - timedelta(minutes=5)
    MaskletFrame.objects.create(masklet=first, frame_index=0, rle=_rle(5), area=50, edited=True, source="prompted")
    kept = MaskletFrame.objects.create(masklet=second, frame_index=0, rle=_rle(6), area=60, source="propagated")
    MaskletFrame.objects.filter(pk=kept.pk).update(updated_at=earlier)
    cursor = timezone.now()

    now = cursor + timedelta(milliseconds=5)
    rows = [
        MaskletFrame(
            masklet=first, frame_index=0, rle=_rle(7), area=70, edited=False, source="propagated", updated_at=now
        ),
        # The propagation writer's plain rows write the same columns.
        FrameRow(first.pk, 1, frame_index=1, rle=_rle(8), area=80, edited=False, source="propagated", updated_at=now),
    ]
    masklet_frames_upsert(rows)

    stored = {(f.masklet.object_id, f.frame_index): f for f in MaskletFrame.objects.select_related("masklet")}
    assert set(stored) == {(1, 0), (1, 1), (2, 0)}
    assert (stored[1, 0].rle, stored[1, 0].area, stored[1, 0].edited, stored[1, 0].source) == (
        _rle(7),
        70,
        False,
        "propagated",
    )
    assert rle_ops.area(stored[1, 1].rle) == stored[1, 1].area == 80
    assert stored[1, 0].updated_at == stored[1, 1].updated_at == now
    assert (stored[2, 0].rle, stored[2, 0].updated_at) == (_rle(6), earlier)
    assert set(MaskletFrame.objects.filter(updated_at__gt=cursor).values_list("frame_index", "masklet__object_id")) == {
        (0, 1),
        (1, 1),
    }
    masklet_frames_upsert([])  # nothing to write: no statement
