"""Fetching the deployment's default checkpoints at start (make run, each worker): the official files
of MODEL and VIDEO_MODEL that are missing download in a child process (models.autofetch), so start-up
never waits for a network; until a file lands the classical fallback serves and says why."""

import logging
import os
import subprocess
import threading
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_process: subprocess.Popen | None = None


def default_specs() -> list[str]:
    """The specs whose official files this deployment serves from MODEL_CHECKPOINT_DIR (none when
    MODEL_CHECKPOINT names an explicit file)."""
    return [] if settings.MODEL_CHECKPOINT else [settings.MODEL, settings.VIDEO_MODEL]


def start_checkpoint_fetch(*, quiet: bool = False) -> subprocess.Popen | None:
    """Start downloading the missing default checkpoints in the background and return the child
    process, or None (MODEL_AUTO_FETCH off, nothing missing, or a download already running here)."""
    global _process
    if not settings.MODEL_AUTO_FETCH:
        return None
    from models.autofetch import AUTO_FETCH_ENV, start_background_fetch

    with _lock:
        if _process is not None and _process.poll() is None:
            return None
        environ = {**os.environ, AUTO_FETCH_ENV: "1"}  # the setting above has decided
        _process = start_background_fetch(
            default_specs(), Path(settings.MODEL_CHECKPOINT_DIR), environ=environ, quiet=quiet
        )
        if _process is not None:
            log.info("fetching missing checkpoints for %s in the background (pid %s)", default_specs(), _process.pid)
        return _process


def stop_checkpoint_fetch(timeout: float = 10.0) -> None:
    """End a running download (its partial file stays and resumes at the next start)."""
    global _process
    with _lock:
        process, _process = _process, None
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def on_worker_ready(**_) -> None:
    start_checkpoint_fetch()


def on_worker_shutdown(**_) -> None:
    stop_checkpoint_fetch()
