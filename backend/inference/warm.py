"""Warm processes: a web or worker process loads its model when it starts, so that no request or
task waits for a load (gunicorn's post_worker_init, Celery's worker_process_init)."""

import logging
import time

from django.conf import settings

log = logging.getLogger(__name__)


def warm_process(say=log.info, parts: str = "decoder") -> None:
    """Load the default model (`parts` as runtime.current_model) and the pieces every request of
    its kind touches. A failure is logged, never raised: the process serves, and loads on demand."""
    from backend.inference.runtime import current_model

    started = time.perf_counter()
    try:
        import torch

        # One intra-op thread per request thread: web processes run requests side by side, and
        # torch's own pool would only make the threads of one process compete for the cores.
        torch.set_num_threads(settings.MODEL_TORCH_THREADS)
        loaded = current_model(parts)
        retrained = _warm_active_versions(parts)
    except Exception:  # the process still serves; predict says what is wrong
        log.exception("warming the model failed; it loads on the first request instead")
        return
    say(
        f"warm: {loaded.segmenter.name} {loaded.version} ({parts}, decoder "
        f"{getattr(loaded.segmenter, 'decoder', '-')}), {retrained} retrained version(s) in {time.perf_counter() - started:.2f} s"
    )


def _warm_active_versions(parts: str) -> int:
    """Load the retrained versions serving projects now (as many as the version cache keeps)."""
    from backend.inference.runtime import model_for_version, version_cache
    from backend.training.selectors import active_versions

    names = active_versions()[: version_cache.size]
    for name in names:
        model_for_version(name, parts)
    return len(names)
