"""The models this process serves: the deployment's default (settings MODEL, MODEL_CHECKPOINT[_DIR]),
resolved once; each project's active retrained version, looked up on every request so a promotion
takes effect without a restart; and an LRU of decoded embeddings.

A process loads what it uses. Answering prompts needs the prompt encoder and mask decoder only
(`serving_decoder`, `current_decoder`): a web process that only predicts never reads the image
encoder (for SAM ViT-H 4M parameters instead of 641M). Encoding images and automatic masks need
the whole network (`serving_model`, `current_model`): workers load it, and a process holding it
answers prompts with it too rather than loading the decoder twice."""

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from backend.training.selectors import active_version, model_version_named, promoted_sha256

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, object] = {}  # "full" / "decoder" -> LoadedModel


def current_model(parts: str = "full"):
    """The deployment's default LoadedModel (segmenter, spec, version, fallback_reason, warning).
    parts "full" (default) can embed; "decoder" answers prompts only (models.registry.Parts).
    A fallback that waits for a checkpoint being downloaded is resolved again once the file lands
    (or the download's state changes), so the model serves without a restart."""
    with _lock:
        loaded = _loaded.get(parts)
        if loaded is not None and loaded.is_stale():
            log.info("the checkpoint for %s changed on disk: loading the model again", settings.MODEL)
            _loaded.clear()
            loaded = None
        if loaded is None:
            loaded = _loaded[parts] = _resolve_default(parts)
        return loaded


def install_model(loaded) -> None:
    """Serve `loaded` (a LoadedModel) as the default model of this process, whole and for prompts
    (benchmarks that bring their own network)."""
    reset_model()
    with _lock:
        _loaded["full"] = _loaded["decoder"] = loaded


def current_decoder():
    """The default model for answering prompts: the full one when this process holds it already,
    else its prompt encoder and mask decoder alone."""
    full = _loaded.get("full")
    if full is not None and not full.is_stale():
        return full
    return current_model("decoder")


def _resolve_default(parts: str):
    # torch and the model packages load with the first model, not with the URLconf.
    import torch

    from models.registry import resolve

    # Subnormal floats make CPU inference of small or freshly trained networks many times
    # slower; flushing them changes results only below 1e-38.
    torch.set_flush_denormal(True)

    checkpoint = Path(settings.MODEL_CHECKPOINT) if settings.MODEL_CHECKPOINT else None
    loaded = resolve(
        settings.MODEL,
        Path(settings.MODEL_CHECKPOINT_DIR),
        device=settings.MODEL_DEVICE,
        checkpoint_path=checkpoint,
        decoder=settings.MODEL_DECODER,
        trust=model_trust(),
        parts=parts,
    )
    if loaded.fallback_reason:
        log.warning("model %s unavailable, serving the classical backend: %s", settings.MODEL, loaded.fallback_reason)
    else:
        log.info("serving model %s (%s)", loaded.version, "whole network" if parts == "full" else "prompt decoder only")
    return loaded


def model_trust():
    """Which weights may serve: official ones, this deployment's promoted versions, and others only
    with MODEL_ALLOW_UNVERIFIED (then under a warning)."""
    from models.trust import TrustPolicy

    return TrustPolicy(frozenset(promoted_sha256()), settings.MODEL_ALLOW_UNVERIFIED)


def reset_model() -> None:
    """Forget the loaded models (tests, and a change of settings)."""
    with _lock:
        _loaded.clear()
    embedding_cache.clear()
    version_cache.clear()


def serving_model(project):
    """The model that serves `project` now, whole (it can embed): its active retrained version,
    else the default."""
    active = active_version(project)
    if active is None:
        return current_model()
    return model_for_version(active.version)


def serving_version(project) -> str:
    """The version string of the model that serves `project` now, read without loading a model."""
    active = active_version(project)
    return active.version if active is not None else current_decoder().version


def serving_decoder(project):
    """The model that serves `project` now, for answering prompts (and reading its version): the
    prompt decoder alone unless this process holds the whole network already."""
    active = active_version(project)
    if active is None:
        return current_decoder()
    full = version_cache.get((active.version, "full"))
    return full if full is not None else model_for_version(active.version, "decoder")


def model_for_version(version: str, parts: str = "full"):
    """A LoadedModel for a version string: the default model's, or a retrained ModelVersion's
    checkpoint (fetched from storage once, sha256 checked, loaded strictly). parts as in
    current_model."""
    default = current_model(parts)
    if version == default.version:
        return default
    cached = version_cache.get((version, parts))
    if cached is not None:
        return cached
    # The checkpoint helpers import torch; they load with the first retrained version served.
    from backend.training.checkpoints import local_checkpoint
    from models.registry import LoadedModel, load_segmenter

    row = model_version_named(version)
    if row is None:
        raise LookupError(f"no model version {version!r}")
    path = local_checkpoint(row)
    segmenter = load_segmenter(row.spec, path, device=settings.MODEL_DEVICE, expected_sha256=row.sha256, parts=parts)
    loaded = LoadedModel(segmenter, row.spec, segmenter.version, None)
    version_cache.put((version, parts), loaded)
    return loaded


def learned_model_missing(project) -> str | None:
    """Why the stages that need a learned model (semi-automatic proposals, fully automatic runs)
    cannot run for `project`: the classical fallback serves because the model asked for is missing.
    None when a learned model (or a deliberately chosen MODEL=classical) serves."""
    if active_version(project) is not None:  # a retrained version serves: a learned model, never loaded here
        return None
    reason = current_decoder().fallback_reason
    if reason is None:
        return None
    return (
        "this needs a learned model (SAM or SAM 2), but the classical fallback serves: "
        f"{reason.rstrip('.')}. Boxes work best with the classical backend meanwhile."
    )


def model_status(loaded=None) -> dict:
    loaded = loaded or current_decoder()
    return {
        "requested": settings.MODEL,
        "backend": loaded.segmenter.name,
        "version": loaded.version,
        "fallback": loaded.fallback_reason is not None,
        "reason": loaded.fallback_reason,
        "warning": loaded.warning,
    }


class LruCache:
    """A small thread-safe LRU (embeddings by (image sha256, model version); models by (version, parts))."""

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
version_cache = LruCache(4)
