"""Turn a model spec ("sam:vit_b", "sam2:hiera_t", "classical", ...) into a loaded segmenter, falling
back to the classical backend, with the reason, whenever verified weights are not available: missing,
corrupt, mismatching, or of unknown origin (models.trust). A fallback waiting for an official file
says whether its automatic download runs or why it failed, and notices when the file lands."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.checkpoints import (
    OFFICIAL_CHECKPOINTS,
    TEST_CHECKPOINTS,
    CheckpointError,
    checkpoint_info,
    load_strict,
    read_state_dict,
)
from models.classical import GrabCutSegmenter
from models.download import read_status
from models.protocol import ImageSegmenter
from models.trust import TrustPolicy
from models.video import VideoTracker

log = logging.getLogger(__name__)

CLASSICAL_SPEC = "classical"
# What a process loads of a network: "full" (workers: they encode images) or "decoder" (web
# processes: the prompt encoder and mask decoder only, which is all predict needs).
Parts = Literal["full", "decoder"]


DOWNLOAD_STALE_SECONDS = 60  # a "downloading" record not refreshed for this long belongs to a stopped process


@dataclass(frozen=True)
class FallbackWatch:
    """A fallback that waits for the official checkpoint file `path`. `changed()` turns true once the
    file exists or its download's state moved on (started, failed), so the caller resolves again and
    serves the model, or shows the new reason, without a restart."""

    path: Path
    fetch_state: str | None

    def changed(self) -> bool:
        if self.path.is_file():
            return True
        status = read_status(self.path)
        return (None if status is None else status.state) != self.fetch_state


@dataclass(frozen=True)
class LoadedModel:
    """What `resolve` gives back. spec: the spec asked for; version: what actually serves (the
    weights' identity, e.g. "sam:vit_b@ec2df6273261", or the classical algorithm's); fallback_reason:
    None when the requested model loaded, else a sentence for the UI and logs on why the classical
    backend serves instead; warning: set when unverified weights serve (MODEL_ALLOW_UNVERIFIED), a
    sentence the UI must show; watch: set while the fallback waits for an official file."""

    segmenter: ImageSegmenter
    spec: str
    version: str
    fallback_reason: str | None = None
    warning: str | None = None
    watch: FallbackWatch | None = None

    def is_stale(self) -> bool:
        """Whether resolving again would serve something else (the awaited checkpoint arrived)."""
        return self.watch is not None and self.watch.changed()


def known_specs() -> list[str]:
    """Every spec `resolve` accepts."""
    return [*OFFICIAL_CHECKPOINTS, *TEST_CHECKPOINTS, CLASSICAL_SPEC]


def load_segmenter(
    spec: str,
    checkpoint_path: Path,
    device: str = "cpu",
    *,
    expected_sha256: str | None = None,
    decoder: Literal["torch", "onnx", "auto"] = "torch",
    check: Callable[[str], None] | None = None,
    parts: Parts = "full",
) -> ImageSegmenter:
    """Build the network named by `spec`, load `checkpoint_path` strictly and wrap it as a segmenter.

    The sha256 is checked against `expected_sha256`, then by `check(sha256)` (raise CheckpointError
    to refuse), before anything is unpickled. This judges integrity, not provenance: serve people
    through `resolve`, which refuses weights of unknown origin. Raises CheckpointError (never
    returns an unloaded network) and ValueError for an unknown spec. decoder applies to SAM only:
    "torch", "onnx" or "auto". parts "decoder" loads the prompt encoder and mask decoder only
    (models.decoder_only): same version, same predictions, and `embed` raises EncoderNotLoaded.
    """
    backend, arch = _split(spec)
    info = checkpoint_info(spec)
    state_dict, sha256 = read_state_dict(
        Path(checkpoint_path),
        layout=info.layout,
        expected_sha256=expected_sha256,
        check=check,
        mmap=parts == "decoder",
    )
    version = f"{backend}:{arch}@{sha256[:12]}"
    if parts == "decoder":
        from models.decoder_only import build_decoder_network, decoder_state_dict

        state_dict = decoder_state_dict(backend, state_dict)
    if backend == "sam":
        from models.sam import SamSegmenter, build_sam_network

        network = build_decoder_network(backend, arch) if parts == "decoder" else build_sam_network(arch)
        load_strict(network, state_dict, Path(checkpoint_path).name)
        return SamSegmenter(network, version, decoder=decoder, device=device)
    from models.sam2 import Sam2Segmenter, build_sam2_network

    network = build_decoder_network(backend, arch) if parts == "decoder" else build_sam2_network(arch)
    load_strict(network, state_dict, Path(checkpoint_path).name)
    return Sam2Segmenter(network, version, device=device)


def resolve(
    spec: str,
    checkpoint_dir: Path,
    device: str = "cpu",
    *,
    checkpoint_path: Path | None = None,
    expected_sha256: str | None = None,
    decoder: Literal["torch", "onnx", "auto"] = "torch",
    trust: TrustPolicy | None = None,
    parts: Parts = "full",
) -> LoadedModel:
    """Load the model named by `spec` or fall back to classical GrabCut, never to random weights.

    spec: "sam:vit_b|vit_l|vit_h|tiny", "sam2:hiera_t|hiera_s|hiera_b+|hiera_l|tiny" or "classical".
    The checkpoint is `checkpoint_path` when given (e.g. a retrained model; its sha256 is checked
    against `expected_sha256` when given), else `checkpoint_dir / <official file name>` checked
    against the official sha256. Its digest must then be official or trusted by `trust` (default:
    TrustPolicy.from_environment(), i.e. $MODEL_ALLOW_UNVERIFIED and nothing else trusted); allowed
    unverified weights load with a `warning`. A missing, corrupt, mismatching or refused checkpoint
    gives the classical backend and a human-readable `fallback_reason`. An unknown spec raises
    ValueError. parts: "full", or "decoder" for a process that only answers prompts (load_segmenter).
    """
    if spec == CLASSICAL_SPEC:
        classical = GrabCutSegmenter()
        return LoadedModel(classical, spec, classical.version, None)
    _split(spec)
    path, expected = _checkpoint_target(spec, checkpoint_dir, checkpoint_path, expected_sha256)
    warnings: list[str] = []
    try:
        check = _judge(trust, spec, warnings)
        segmenter = load_segmenter(
            spec, path, device, expected_sha256=expected, decoder=decoder, check=check, parts=parts
        )
    except CheckpointError as error:
        reason, watch = _unavailable(spec, path, error, "the classical GrabCut backend")
        classical = GrabCutSegmenter()
        return LoadedModel(classical, spec, classical.version, reason, watch=watch)
    return LoadedModel(segmenter, spec, segmenter.version, None, warning=_warn(warnings))


def _judge(trust: TrustPolicy | None, spec: str, warnings: list[str]) -> Callable[[str], None]:
    """The sha256 check that applies `trust` and collects its warning."""
    policy = TrustPolicy.from_environment() if trust is None else trust

    def check(sha256: str) -> None:
        warning = policy.judge(sha256, spec)
        if warning is not None:
            warnings.append(warning)

    return check


def _warn(warnings: list[str]) -> str | None:
    for warning in warnings:
        log.warning(warning)
    return warnings[0] if warnings else None


def _checkpoint_target(spec: str, checkpoint_dir, checkpoint_path, expected_sha256) -> tuple[Path, str | None]:
    """The file to load and the sha256 it must have: an explicit path (checked only against
    expected_sha256), else the official file name in checkpoint_dir with the official sha256."""
    info = checkpoint_info(spec)
    if checkpoint_path is None:
        return Path(checkpoint_dir) / info.file_name, expected_sha256 or info.sha256
    return Path(checkpoint_path), expected_sha256


def _unavailable(spec: str, path: Path, error: Exception, fallback: str) -> tuple[str, FallbackWatch | None]:
    """The sentence the UI and the logs show when a model cannot be loaded, and, when an official
    file is missing, the watch for its arrival. The sentence says what the automatic download of
    that file is doing (models.download's status record) and the command that fetches it."""
    watch = None
    hint = ""
    if checkpoint_info(spec).url and not path.exists():
        status = read_status(path)
        watch = FallbackWatch(path, None if status is None else status.state)
        if status is not None and status.state == "downloading":
            if time.time() - status.updated < DOWNLOAD_STALE_SECONDS:
                hint = "; it is being downloaded and serves as soon as it lands"
            else:
                hint = "; an earlier download stopped part way and resumes at the next start"
        elif status is not None and status.state == "failed":
            hint = f"; the automatic download failed: {status.reason}"
        hint += f" (run `python -m models fetch {spec}`)"
    reason = f"{spec} unavailable: {error}{hint}; using {fallback}"
    log.warning(reason)
    return reason, watch


def _split(spec: str) -> tuple[str, str]:
    backend, _, arch = spec.partition(":")
    if backend not in ("sam", "sam2") or spec not in (*OFFICIAL_CHECKPOINTS, *TEST_CHECKPOINTS):
        raise ValueError(f"unknown model spec {spec!r}; known: {known_specs()}")
    return backend, arch


@dataclass(frozen=True)
class LoadedTracker:
    """What `resolve_tracker` gives back, as LoadedModel for video: tracker serves; version names
    the weights (or the classical algorithm) that actually serve; fallback_reason is None when the
    requested model loaded, else a sentence for the UI and logs; warning and watch as LoadedModel's."""

    tracker: VideoTracker
    spec: str
    version: str
    fallback_reason: str | None = None
    warning: str | None = None
    watch: FallbackWatch | None = None

    def is_stale(self) -> bool:
        """Whether resolving again would serve something else (the awaited checkpoint arrived)."""
        return self.watch is not None and self.watch.changed()


def load_tracker(
    spec: str,
    checkpoint_path: Path,
    device: str = "cpu",
    *,
    expected_sha256: str | None = None,
    image_size: int | None = None,
    check: Callable[[str], None] | None = None,
) -> VideoTracker:
    """Build the SAM 2 video network named by `spec` ("sam2:..."), load `checkpoint_path` strictly
    (sha256 checked as in `load_segmenter`, `check` included) and wrap it as a tracker. image_size overrides the
    network's input side (e.g. 256 for fast CPU tests); the version then says so. Raises
    CheckpointError, or ValueError for a spec that is not a SAM 2 model."""
    backend, arch = _split(spec)
    if backend != "sam2":
        raise ValueError(f"{spec} is an image-only model; video tracking needs a sam2 spec or {CLASSICAL_SPEC!r}")
    from models.sam2_video import Sam2VideoTracker, build_sam2_video_network

    info = checkpoint_info(spec)
    state_dict, sha256 = read_state_dict(
        Path(checkpoint_path), layout=info.layout, expected_sha256=expected_sha256, check=check
    )
    network = build_sam2_video_network(arch, image_size)
    load_strict(network, state_dict, Path(checkpoint_path).name)
    version = f"{backend}:{arch}@{sha256[:12]}" + ("" if image_size is None else f"/{image_size}px")
    return Sam2VideoTracker(network, version, device=device)


def resolve_tracker(
    spec: str,
    checkpoint_dir: Path,
    device: str = "cpu",
    *,
    checkpoint_path: Path | None = None,
    expected_sha256: str | None = None,
    image_size: int | None = None,
    trust: TrustPolicy | None = None,
) -> LoadedTracker:
    """Load the video tracker named by `spec`, or fall back to the classical tracker (GrabCut plus
    optical flow) with a reason, never to random weights; mirrors `resolve`.

    spec: "sam2:hiera_t|hiera_s|hiera_b+|hiera_l|tiny" or "classical". SAM 1 specs ("sam:...")
    are image-only: they give the classical tracker and a reason saying so. The checkpoint is
    `checkpoint_path` when given (sha256 checked only against `expected_sha256`), else
    `checkpoint_dir / <official file name>` checked against the official sha256; provenance is
    judged by `trust` as in `resolve`. An unknown spec raises ValueError.
    """
    from models.classical_video import ClassicalVideoTracker

    if spec == CLASSICAL_SPEC:
        classical = ClassicalVideoTracker()
        return LoadedTracker(classical, spec, classical.version, None)
    backend, _ = _split(spec)
    if backend != "sam2":
        reason = f"{spec} is an image-only model (SAM 1 has no video memory); using the classical optical-flow tracker"
        log.warning(reason)
        classical = ClassicalVideoTracker()
        return LoadedTracker(classical, spec, classical.version, reason)
    path, expected = _checkpoint_target(spec, checkpoint_dir, checkpoint_path, expected_sha256)
    warnings: list[str] = []
    try:
        check = _judge(trust, spec, warnings)
        tracker = load_tracker(spec, path, device, expected_sha256=expected, image_size=image_size, check=check)
    except CheckpointError as error:
        reason, watch = _unavailable(spec, path, error, "the classical optical-flow tracker")
        classical = ClassicalVideoTracker()
        return LoadedTracker(classical, spec, classical.version, reason, watch=watch)
    return LoadedTracker(tracker, spec, tracker.version, None, warning=_warn(warnings))
