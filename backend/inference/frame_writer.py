"""Stores a propagation's masks while the tracker computes the next frames: the masks go to a writer
thread that encodes them (RLE), writes everything waiting in one bulk upsert, tells the session's
pages and reports the job's progress (noticing a cancel), so the tracker never waits on encoding,
the database or the network. Batches follow the database's pace and a short interval: the first
frame is written alone at once (the page shows it immediately); later frames gather until
WRITE_INTERVAL after the previous write began, or while a write is under way."""

import queue
import threading
import time
from contextlib import ExitStack

import numpy as np
from django.db import close_old_connections, connection
from django.utils import timezone

from backend.annotations.frame_upsert import FrameRow, masklet_frames_upsert
from backend.annotations.models import Masklet, MaskletFrame
from backend.core.commits import unflushed_commits_on_this_connection
from engine import rle as rle_ops

_DONE = object()


class FrameWriter:
    """Writes the propagated masks of `objects` of `video`; frames a person made are kept.
    `stored(video_id, rows)` hears each batch once it is in the database; `after_batch(frames_stored)` is
    called next, and what it raises (JobCancelled) is raised by the following add, while the frames
    already handed over are still all stored. Inside a transaction (a test's, a caller's) the rows
    must be written by that transaction: they are then written on add, inline. The tracker runs at
    most MAX_AHEAD frames ahead of the database (an add waits), so a slow database holds neither
    unbounded masks in memory nor many frames computed after a cancel."""

    MAX_AHEAD = 4
    WRITE_INTERVAL = 0.05  # seconds: pages hear a pass 20 times a second at most, the first frame at once

    def __init__(self, video, objects: set[int], stored=None, after_batch=None):
        self.video_id, self._objects = video.pk, set(objects)
        self.masklets: dict[int, int] = {}  # object id -> masklet id
        self.protected: set[tuple[int, int]] = set()  # (object id, frame) a person made
        self.stored, self.after_batch, self.written, self.frames = stored, after_batch, 0, 0
        self._error: BaseException | None = None
        self._raised: BaseException | None = None  # from after_batch: raised once, writing goes on
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        if connection.in_atomic_block:
            self._load()
        else:  # read on the writer's thread, while the tracker starts
            self._queue = queue.Queue(maxsize=self.MAX_AHEAD)
            self._thread = threading.Thread(target=self._run, name="frame-writer", daemon=True)
            self._thread.start()

    def add(self, frame_index: int, masks: dict[int, np.ndarray]) -> None:
        """Hand over one frame's masks (raises what the writer thread met, if it failed)."""
        if self._error is not None:
            raise self._error
        if self._queue is None:
            self._write([(frame_index, masks)])
        else:
            self._queue.put((frame_index, masks))
        raised, self._raised = self._raised, None
        if raised is not None:
            raise raised

    def close(self) -> None:
        """Wait until every frame handed over is stored."""
        if self._thread is not None:
            self._queue.put(_DONE)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        if self._raised is not None:
            raise self._raised

    def _run(self) -> None:
        try:
            with ExitStack() as stack:
                try:  # this thread's database connection opens while the tracker computes the first
                    # frame; its commits do not wait for the disk (the pass's job ends with a normal one)
                    connection.ensure_connection()
                    stack.enter_context(unflushed_commits_on_this_connection())
                    self._load()
                except BaseException as exc:  # handed to the tracker's thread at its next add, as a failed write
                    self._error = exc
                self._drain()  # emptied whatever happened, so no add waits on a dead writer
        finally:
            close_old_connections()
            connection.close()

    def _load(self) -> None:
        """The masklets of the objects written, and the frames of theirs a person made."""
        masklets = Masklet.objects.filter(video_id=self.video_id, object_id__in=self._objects)
        self.masklets = dict(masklets.values_list("object_id", "pk"))
        self.protected = set(
            MaskletFrame.objects.filter(masklet__in=list(self.masklets.values()), edited=True).values_list(
                "masklet__object_id", "frame_index"
            )
        )

    def _drain(self) -> None:
        """Write what the tracker hands over, a batch at a time, until close: a frame after a pause
        at once, then what gathers until WRITE_INTERVAL after the previous write began (each batch
        costs a statement, a read of the masklets and a message, whatever its size)."""
        done, began = False, -self.WRITE_INTERVAL
        while not done:
            batch = [self._queue.get()]
            while batch[-1] is not _DONE:
                wait = began + self.WRITE_INTERVAL - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            done = batch[-1] is _DONE
            frames = [item for item in batch if item is not _DONE]
            if frames and self._error is None:
                started, written = time.monotonic(), self.written
                try:
                    self._write(frames)
                    if self.written > written:  # a batch of frames a person made writes nothing: no pause
                        began = started
                except BaseException as exc:  # handed to the tracker's thread at its next add or close;
                    self._error = exc  # the queue is still emptied, so no add waits on a dead writer

    def _write(self, frames: list) -> None:
        self._store(frames)
        self.frames += len(frames)
        if self.after_batch is not None:
            try:
                self.after_batch(self.frames)
            except Exception as exc:
                self._raised = exc

    def _store(self, frames: list) -> None:
        now = timezone.now()
        rows = []
        for frame_index, masks in frames:
            for obj_id, values in masks.items():
                if obj_id in self.masklets and (obj_id, frame_index) not in self.protected:
                    mask = np.asarray(values, dtype=bool)
                    rows.append(
                        FrameRow(
                            self.masklets[obj_id],
                            obj_id,
                            frame_index,
                            rle_ops.encode(mask),
                            int(np.count_nonzero(mask)),
                            False,
                            MaskletFrame.Source.PROPAGATED.value,
                            now,
                        )
                    )
        if not rows:
            return
        # One statement: on the writer's thread an autocommit that does not wait for the disk (the
        # connection's setting, above); inline, part of the caller's transaction.
        masklet_frames_upsert(rows)
        self.written += len(rows)
        if self.stored is not None:
            self.stored(self.video_id, rows)
