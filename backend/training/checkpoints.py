"""Checkpoint files of model versions: the retrained ones live in storage and are copied once to a
local cache (sha256 named); the deployment's default comes from MODEL / MODEL_CHECKPOINT[_DIR]."""

import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from backend.core.errors import Unavailable
from backend.jobs.services import JobFailed
from backend.media.storage import open_stream
from backend.projects.models import Project
from backend.training.models import ModelVersion
from backend.training.selectors import active_version
from models.checkpoints import checkpoint_info, sha256_file


def local_checkpoint(version: ModelVersion) -> Path:
    """The version's checkpoint as a local file (downloaded from storage on first use)."""
    folder = settings.VAR_DIR / "checkpoint-cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{version.sha256}.pt"
    if not path.exists():
        partial = path.with_suffix(f".{threading.get_ident()}.part")
        try:
            with open_stream(version.checkpoint_key) as source, partial.open("wb") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
        except FileNotFoundError:
            partial.unlink(missing_ok=True)
            raise Unavailable(
                f"the checkpoint of model version {version.version} is missing from storage "
                f"({version.checkpoint_key}); a manager can roll back to an earlier version"
            ) from None
        partial.replace(path)
    return path


def default_checkpoint_path(spec: str) -> Path:
    """Where the deployment's default checkpoint for `spec` is (it may be missing)."""
    if settings.MODEL_CHECKPOINT:
        return Path(settings.MODEL_CHECKPOINT)
    return Path(settings.MODEL_CHECKPOINT_DIR) / checkpoint_info(spec).file_name


@dataclass(frozen=True)
class ParentCheckpoint:
    """The model a round trains from: the one serving the project now."""

    spec: str
    version: str
    path: Path


def untrainable_reason(project: Project) -> str | None:
    """Why a round cannot train for `project` now: no retrained version serves it and the default
    checkpoint is missing (the classical fallback serves). None when a round can start (a deliberate
    MODEL=classical is told by the round's own failure)."""
    if active_version(project) is not None or settings.MODEL == "classical":
        return None
    if default_checkpoint_path(settings.MODEL).is_file():
        return None
    return (
        f"training needs a learned model, but the {settings.MODEL} checkpoint is not installed and the "
        f"classical fallback serves; run `.venv/bin/python -m models fetch {settings.MODEL}` first"
    )


def parent_checkpoint(project: Project) -> ParentCheckpoint:
    active = active_version(project)
    if active is not None:
        return ParentCheckpoint(active.spec, active.version, local_checkpoint(active))
    spec = settings.MODEL
    if spec == "classical":
        raise JobFailed("this deployment serves the classical backend, which does not train (MODEL=classical)")
    path = default_checkpoint_path(spec)
    if not path.is_file():
        raise JobFailed(
            f"the {spec} checkpoint is not installed, so the classical backend serves and nothing can be "
            f"trained; run `python -m models fetch {spec}` first"
        )
    return ParentCheckpoint(spec, f"{spec}@{sha256_file(path)[:12]}", path)
