"""The models this process serves: the deployment's default (settings MODEL, MODEL_CHECKPOINT[_DIR]),
resolved once; each project's active retrained version, looked up on every request so a promotion
takes effect without a restart; and an LRU of decoded embeddings."""

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from backend.training.selectors import active_version, model_version_named, promoted_sha256

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded = None


def current_model():
    """The deployment's default LoadedModel (segmenter, spec, version, fallback_reason, warning).
    A fallback that waits for a checkpoint being downloaded is resolved again once the file lands
    (or the download's state changes), so the model serves without a restart."""
    global _loaded
    with _lock:
        if _loaded is not None and _loaded.is_stale():
            log.info("the checkpoint for %s changed on disk: loading the model again", settings.MODEL)
            _loaded = None
        if _loaded is None:
            # torch and the model packages load with the first model, not with the URLconf.
            import torch

            from models.registry import resolve

            # Subnormal floats make CPU inference of small or freshly trained networks many times
            # slower; flushing them changes results only below 1e-38.
            torch.set_flush_denormal(True)

            checkpoint = Path(settings.MODEL_CHECKPOINT) if settings.MODEL_CHECKPOINT else None
            _loaded = resolve(
                settings.MODEL,
                Path(settings.MODEL_CHECKPOINT_DIR),
                device=settings.MODEL_DEVICE,
                checkpoint_path=checkpoint,
                decoder="auto",
                trust=model_trust(),
            )
            if _loaded.fallback_reason:
                log.warning(
                    "model %s unavailable, serving the classical backend: %s", settings.MODEL, _loaded.fallback_reason
                )
            else:
                log.info("serving model %s", _loaded.version)
        return _loaded


def model_trust():
    """Which weights may serve: official ones, this deployment's promoted versions, and others only
    with MODEL_ALLOW_UNVERIFIED (then under a warning)."""
    from models.trust import TrustPolicy

    return TrustPolicy(frozenset(promoted_sha256()), settings.MODEL_ALLOW_UNVERIFIED)


def reset_model() -> None:
    """Forget the loaded models (tests, and a change of settings)."""
    global _loaded
    with _lock:
        _loaded = None
    embedding_cache.clear()
    version_cache.clear()


def serving_model(project):
    """The model that serves `project` now: its active retrained version, else the default."""
    active = active_version(project)
    if active is None:
        return current_model()
    return model_for_version(active.version)


def model_for_version(version: str):
    """A LoadedModel for a version string: the default model's, or a retrained ModelVersion's
    checkpoint (fetched from storage once, sha256 checked, loaded strictly)."""
    default = current_model()
    if version == default.version:
        return default
    cached = version_cache.get(version)
    if cached is not None:
        return cached
    # The checkpoint helpers import torch; they load with the first retrained version served.
    from backend.training.checkpoints import local_checkpoint
    from models.registry import LoadedModel, load_segmenter

    row = model_version_named(version)
    if row is None:
        raise LookupError(f"no model version {version!r}")
    path = local_checkpoint(row)
    segmenter = load_segmenter(row.spec, path, device=settings.MODEL_DEVICE, expected_sha256=row.sha256)
    loaded = LoadedModel(segmenter, row.spec, segmenter.version, None)
    version_cache.put(version, loaded)
    return loaded


def model_status(loaded=None) -> dict:
    loaded = loaded or current_model()
    return {
        "requested": settings.MODEL,
        "backend": loaded.segmenter.name,
        "version": loaded.version,
        "fallback": loaded.fallback_reason is not None,
        "reason": loaded.fallback_reason,
        "warning": loaded.warning,
    }


class LruCache:
    """A small thread-safe LRU keyed by (image sha256, model version)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


embedding_cache = LruCache(settings.EMBEDDING_CACHE_SIZE)
version_cache = LruCache(3)
