"""The policy tables of images and videos (their frames follow their video)."""

from backend.media.models import Image, Video
from backend.projects import policy
from backend.projects.policy import EVERYONE, MANAGERS, WORKERS


def register() -> None:
    for name, model in (("image", Image), ("video", Video)):
        policy.register(name, model, "project", {"view": EVERYONE, "annotate": WORKERS, "delete": MANAGERS})
