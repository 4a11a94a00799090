"""Which weights may serve people. Official checkpoints (their sha256 is in the table) and weights the
caller vouches for (the backend passes its promoted model versions) serve. Anything else may be an
untrained network (a test checkpoint, a file of unknown origin) and is refused, unless
MODEL_ALLOW_UNVERIFIED allows it; it then serves under a loud warning that the UI shows."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from models.checkpoints import OFFICIAL_CHECKPOINTS, CheckpointError

UNVERIFIED_ENV = "MODEL_ALLOW_UNVERIFIED"


class UnverifiedCheckpoint(CheckpointError):
    """Weights that are neither official nor trusted, refused because no setting allows them."""


@dataclass(frozen=True)
class TrustPolicy:
    """trusted_sha256: digests the caller vouches for (lower-case hex), beside the official table;
    allow_unverified: serve other weights anyway, each with a warning."""

    trusted_sha256: frozenset[str] = frozenset()
    allow_unverified: bool = False

    @classmethod
    def from_environment(
        cls, trusted_sha256: Iterable[str] = (), environ: Mapping[str, str] | None = None
    ) -> TrustPolicy:
        """The policy with $MODEL_ALLOW_UNVERIFIED (1 / true / yes / on) and these trusted digests."""
        value = (os.environ if environ is None else environ).get(UNVERIFIED_ENV, "")
        allow = value.strip().lower() in ("1", "true", "yes", "on")
        return cls(frozenset(digest.lower() for digest in trusted_sha256), allow)

    def judge(self, sha256: str, spec: str) -> str | None:
        """None for official or trusted weights; the warning to show when unverified weights are
        allowed; raises UnverifiedCheckpoint (with the reason) otherwise."""
        digest = sha256.lower()
        if digest in self.trusted_sha256 or digest in {info.sha256 for info in OFFICIAL_CHECKPOINTS.values()}:
            return None
        what = (
            f"the weights for {spec} (sha256 {digest[:12]}) are neither an official checkpoint nor a promoted "
            "model version of this deployment"
        )
        if not self.allow_unverified:
            raise UnverifiedCheckpoint(
                f"{what}, so they may be untrained; refused (set {UNVERIFIED_ENV}=1 to serve them under a warning)"
            )
        return (
            f"UNVERIFIED MODEL: {what}. They may be untrained and their masks meaningless; served only because "
            f"{UNVERIFIED_ENV}=1"
        )
