"""The policy tables of masks, masklets and PLM records."""

from backend.annotations.models import Mask, Masklet, RegionCaption, VideoQuestion
from backend.projects import policy
from backend.projects.policy import EVERYONE, WORKERS, M, R


def register() -> None:
    edits = {"view": EVERYONE, "create": WORKERS, "change": WORKERS, "delete": WORKERS}
    policy.register("mask", Mask, "image__project", edits)
    policy.register("masklet", Masklet, "video__project", edits)
    policy.register(
        "question",
        VideoQuestion,
        "video__project",
        {"view": EVERYONE, "create": WORKERS, "change": WORKERS, "audit": frozenset({R, M})},
    )
    policy.register(
        "caption", RegionCaption, "masklet__video__project", {"view": EVERYONE, "create": WORKERS, "change": WORKERS}
    )
