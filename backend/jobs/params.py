"""Typed job parameters: each job kind declares a dataclass for its `Job.params`, so a task reads
named, checked fields instead of string keys of a free dict."""

import dataclasses
from typing import Any, Self


@dataclasses.dataclass(frozen=True)
class JobParams:
    """Base of a job kind's parameters; stored in Job.params as JSON."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, job) -> Self:
        """The parameters stored on `job`; unknown keys are ignored (written by an older version)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in (job.params or {}).items() if key in names})
