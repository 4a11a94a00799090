"""Masklet frames written in one statement: each row inserted, or overwriting the frame its masklet
already has. It is what `MaskletFrame.objects.bulk_create(update_conflicts=True, ...)` sends, with
the values adapted by the model's own fields, but built without the ORM's compilation of the query
on every call: a propagation writes a batch every few tens of milliseconds, on a thread beside the
tracker's, and the ORM's Python work took the tracker's time (bench/bench_video_app.py). PostgreSQL
and SQLite both read this statement. No signals are sent (as with bulk_create).

Rows are `FrameRow`s: plain values, no model instances (building a MaskletFrame per mask cost the
writer's thread about as much interpreter time as the statement itself)."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from backend.annotations.models import MaskletFrame


@dataclass(frozen=True, slots=True)
class FrameRow:
    """One masklet frame to write (the attribute names are MaskletFrame's), with its object id for
    the pages that hear of it."""

    masklet_id: int
    object_id: int
    frame_index: int
    rle: dict
    area: int
    edited: bool
    source: str
    updated_at: dt.datetime


UPDATED = ("rle", "area", "edited", "source", "updated_at")
_FIELDS = [MaskletFrame._meta.get_field(name) for name in ("masklet", "frame_index", *UPDATED)]


def _statement(n_rows: int) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _FIELDS)
    row = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
    updates = ", ".join(f"{quote(name)} = EXCLUDED.{quote(name)}" for name in UPDATED)
    unique = ", ".join(quote(MaskletFrame._meta.get_field(name).column) for name in ("masklet", "frame_index"))
    return (
        f"INSERT INTO {quote(MaskletFrame._meta.db_table)} ({columns}) VALUES {', '.join([row] * n_rows)} "
        f"ON CONFLICT ({unique}) DO UPDATE SET {updates}"
    )


def masklet_frames_upsert(rows: list) -> None:
    """Write `rows` (FrameRows, or MaskletFrames with every field set); a row whose masklet already
    has that frame replaces it. At most one row per (masklet, frame) in a call."""
    if not rows:
        return
    params = []
    for row in rows:
        params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in _FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_statement(len(rows)), params)
