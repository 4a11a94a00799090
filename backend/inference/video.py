"""Video sessions on gpu workers: frames read lazily from storage, a bounded registry of live
tracker states per worker process, and the rebuild of a state by replaying its stored prompts."""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings

from backend.inference.models import VideoPrompt, VideoSession
from backend.inference.runtime import model_trust
from backend.inference.selectors import operations_between
from backend.media.models import Video
from backend.media.storage import read_bytes
from engine import rle as rle_ops

_tracker_lock = threading.Lock()
_tracker = None


def current_tracker():
    """The LoadedTracker (tracker, spec, version, fallback_reason, warning) this process serves videos with."""
    global _tracker
    with _tracker_lock:
        if _tracker is not None and _tracker.is_stale():  # the awaited checkpoint landed
            _tracker = None
        if _tracker is None:
            # The model packages import torch: they load with the first video session, not the URLconf.
            from models.registry import resolve_tracker

            checkpoint = Path(settings.MODEL_CHECKPOINT) if settings.MODEL_CHECKPOINT else None
            _tracker = resolve_tracker(
                settings.VIDEO_MODEL,
                Path(settings.MODEL_CHECKPOINT_DIR),
                device=settings.MODEL_DEVICE,
                checkpoint_path=checkpoint,
                image_size=settings.VIDEO_IMAGE_SIZE,
                trust=model_trust(),
            )
        return _tracker


def reset_tracker() -> None:
    global _tracker
    with _tracker_lock:
        _tracker = None
    registry.clear()


class StorageFrames:
    """A video's extracted frames as the tracker's FrameSource: decoded on demand, at most
    `cache_size` kept, so a long video never sits in memory whole."""

    def __init__(self, video: Video, cache_size: int = 32):
        self.keys = list(video.frames.order_by("index").values_list("storage_key", flat=True))
        self.height, self.width = video.height, video.width
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, index: int) -> np.ndarray:
        if not 0 <= index < len(self.keys):
            raise ValueError(f"frame {index} is outside the video's {len(self.keys)} frames")
        with self._lock:
            if index in self._cache:
                self._cache.move_to_end(index)
                return self._cache[index]
        pixels = cv2.imdecode(np.frombuffer(read_bytes(self.keys[index]), np.uint8), cv2.IMREAD_COLOR)
        rgb = np.ascontiguousarray(pixels[:, :, ::-1])
        with self._lock:
            self._cache[index] = rgb
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return rgb


@dataclass
class LiveSession:
    """A session's tracker state held by this worker: the tracker's own typed state, the tracker
    version that built it, the last operation applied, and when it was last used (for eviction)."""

    state: object
    tracker_version: str
    applied_seq: int
    last_used: float


def apply_prompt(tracker, state, prompt: VideoPrompt) -> dict[int, np.ndarray]:
    """Apply one clicks / box, mask or removal operation; returns the masks on its frame."""
    if prompt.kind == VideoPrompt.Kind.POINTS:
        points = np.asarray(prompt.points, dtype=np.float32).reshape(-1, 2) if prompt.points else None
        labels = np.asarray(prompt.labels, dtype=np.int32) if prompt.labels else None
        box = np.asarray(prompt.box, dtype=np.float32) if prompt.box else None
        return tracker.add_prompts(state, prompt.frame, prompt.obj_id, points, labels, box)
    if prompt.kind == VideoPrompt.Kind.MASK:
        return tracker.add_mask(state, prompt.frame, prompt.obj_id, rle_ops.decode(prompt.rle))
    if prompt.kind == VideoPrompt.Kind.REMOVE:
        tracker.remove_object(state, prompt.obj_id)
        return {}
    raise ValueError(f"apply_prompt does not run {prompt.kind} operations")


def propagation(tracker, state, prompt: VideoPrompt):
    """The frames of a propagate operation: (frame, {obj_id: mask}) as the tracker streams them;
    a pass cancelled part way is replayed only as far as it went."""
    options = prompt.propagation
    if options.skip:
        return iter(())
    return tracker.propagate(state, start=prompt.frame, reverse=options.reverse, max_frames=options.max_frames)


class SessionRegistry:
    """Live tracker states of this worker process, at most `capacity`, idle ones evicted."""

    def __init__(self, capacity: int, idle_seconds: float):
        self.capacity, self.idle_seconds = capacity, idle_seconds
        self._live: OrderedDict[int, LiveSession] = OrderedDict()
        self._lock = threading.Lock()
        self.rebuilds = 0

    def clear(self) -> None:
        with self._lock:
            self._live.clear()

    def __contains__(self, session_id: int) -> bool:
        return session_id in self._live

    def _evict(self) -> None:
        now = time.monotonic()
        for session_id in [s for s, live in self._live.items() if now - live.last_used > self.idle_seconds]:
            del self._live[session_id]
        while len(self._live) >= self.capacity:
            self._live.popitem(last=False)

    def acquire(self, session: VideoSession, before_seq: int, on_prompt=None, checkpoint=None) -> LiveSession:
        """The live state of `session` with every operation before `before_seq` applied; rebuilt by
        replaying the stored operations (propagations included, silently: their masks are stored)
        when this process does not hold it. on_prompt(prompt, masks) hears each clicks / mask
        operation applied here, so its masks can be (re)stored. checkpoint() is called between
        replayed frames; if it raises (a cancel), the half-rebuilt state is dropped."""
        loaded = current_tracker()
        with self._lock:
            live = self._live.get(session.pk)
            if live is not None and live.tracker_version != loaded.version:
                live = None
            if live is None:
                self._evict()
                video = Video.objects.get(pk=session.video_id)
                live = LiveSession(loaded.tracker.start(StorageFrames(video)), loaded.version, 0, time.monotonic())
                self._live[session.pk] = live
                self.rebuilds += 1
            self._live.move_to_end(session.pk)
        # Usually this worker holds the state up to the operation before: nothing to read then.
        pending = (
            operations_between(session.pk, live.applied_seq, before_seq) if before_seq > live.applied_seq + 1 else []
        )
        try:
            for prompt in pending:
                if prompt.kind == VideoPrompt.Kind.PROPAGATE:
                    for _ in propagation(loaded.tracker, live.state, prompt):
                        if checkpoint is not None:
                            checkpoint()
                else:
                    masks = apply_prompt(loaded.tracker, live.state, prompt)
                    if on_prompt is not None:
                        on_prompt(prompt, masks)
                live.applied_seq = prompt.seq
        except BaseException:
            with self._lock:  # part way through an operation: the state matches no stored prefix
                self._live.pop(session.pk, None)
            raise
        live.last_used = time.monotonic()
        return live


registry = SessionRegistry(settings.VIDEO_SESSIONS_PER_WORKER, settings.VIDEO_SESSION_IDLE_SECONDS)
