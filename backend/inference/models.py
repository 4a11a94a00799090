"""Embeddings (one per image content and model version, stored float16 in object storage), and video
sessions with their stored operations."""

import dataclasses
from typing import Self

from django.conf import settings
from django.db import models


@dataclasses.dataclass(frozen=True)
class PropagationOptions:
    """What a propagate operation asks (VideoPrompt.options): the direction and the objects, and
    how far a cancelled pass went (`max_frames`), or that it was cancelled before it started
    (`skip`), so a replay rebuilds exactly the state the pass left."""

    reverse: bool = False
    obj_ids: list[int] = dataclasses.field(default_factory=list)
    max_frames: int | None = None
    skip: bool = False

    @classmethod
    def from_json(cls, values: dict | None) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in (values or {}).items() if key in names})

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


class Embedding(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    sha256 = models.CharField(max_length=64)
    model_version = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    storage_key = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0.0, help_text="encoder time")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sha256", "model_version"], name="one_embedding_per_version")]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} @ {self.model_version} ({self.status})"


class VideoSession(models.Model):
    """The tracker state of one video lives on one gpu worker (its direct queue). Every prompt is
    stored, so any worker can rebuild the state by replaying them."""

    video = models.OneToOneField("media.Video", on_delete=models.CASCADE, related_name="session")
    tracker_version = models.CharField(max_length=128, blank=True)
    worker = models.CharField(max_length=255, blank=True, help_text="the worker holding the state, if any")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"session of video {self.video_id} on {self.worker or 'no worker'}"


class VideoPrompt(models.Model):
    """One operation of a video session, in order: clicks / box, a brushed mask, a removal or a
    propagation pass. Replaying them in `seq` order rebuilds the tracker state exactly."""

    class Kind(models.TextChoices):
        POINTS = "points"  # clicks and / or a box
        MASK = "mask"  # a person's brushed mask
        REMOVE = "remove"  # the object was removed
        PROPAGATE = "propagate"  # a propagation pass (replayed too: the tracker's memory depends on it)

    session = models.ForeignKey(VideoSession, on_delete=models.CASCADE, related_name="prompts")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    frame = models.PositiveIntegerField()
    obj_id = models.PositiveIntegerField()
    points = models.JSONField(null=True, blank=True)
    labels = models.JSONField(null=True, blank=True)
    box = models.JSONField(null=True, blank=True)
    rle = models.JSONField(null=True, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text="propagate: PropagationOptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="prompt_order_in_session")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} of session {self.session_id}"

    @property
    def propagation(self) -> PropagationOptions:
        return PropagationOptions.from_json(self.options)
