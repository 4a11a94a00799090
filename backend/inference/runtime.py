"""The model this process serves: resolved once from settings (MODEL, MODEL_CHECKPOINT[_DIR]) and
kept for the life of the process, plus an LRU of decoded embeddings."""
import logging
import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded = None


def current_model():
    """The LoadedModel (segmenter, spec, version, fallback_reason) of this process."""
    global _loaded
    with _lock:
        if _loaded is None:
            import torch

            from models.registry import resolve

            # Subnormal floats make CPU inference of small or freshly trained networks many times
            # slower; flushing them changes results only below 1e-38.
            torch.set_flush_denormal(True)

            checkpoint = Path(settings.MODEL_CHECKPOINT) if settings.MODEL_CHECKPOINT else None
            _loaded = resolve(settings.MODEL, Path(settings.MODEL_CHECKPOINT_DIR), device=settings.MODEL_DEVICE, checkpoint_path=checkpoint, decoder="auto")
            if _loaded.fallback_reason:
                log.warning("model %s unavailable, serving the classical backend: %s", settings.MODEL, _loaded.fallback_reason)
            else:
                log.info("serving model %s", _loaded.version)
        return _loaded


def reset_model() -> None:
    """Forget the loaded model (tests, and a promotion of a new model version)."""
    global _loaded
    with _lock:
        _loaded = None
    embedding_cache.clear()


def model_status() -> dict:
    loaded = current_model()
    return {
        "requested": settings.MODEL,
        "backend": loaded.segmenter.name,
        "version": loaded.version,
        "fallback": loaded.fallback_reason is not None,
        "reason": loaded.fallback_reason,
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
