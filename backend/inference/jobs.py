"""The typed parameters of inference's jobs (stored in Job.params)."""

from dataclasses import dataclass, field

from backend.jobs.params import JobParams


@dataclass(frozen=True)
class EmbedParams(JobParams):
    model_version: str = ""  # the version to encode with ("" : the project's serving model)


@dataclass(frozen=True)
class AutoAnnotateParams(JobParams):
    settings: dict = field(default_factory=dict)  # generator settings over SAM's defaults (AmgSettings)


@dataclass(frozen=True)
class VideoPromptParams(JobParams):
    seq: int = 0  # the operation of the session to apply


@dataclass(frozen=True)
class VideoPropagateParams(JobParams):
    seqs: list[int] = field(default_factory=list)  # the propagation passes, in order
    direction: str = "both"
    start: int = 0


@dataclass(frozen=True)
class VideoWarmParams(JobParams):
    frames: list[int] = field(default_factory=list)  # the frames whose features to compute ahead
