"""Work items: what a team decided about each image and video (complete, skipped, flagged with a
reason), who finished it, and who holds it now (claims that expire when abandoned).

An item is an image or a video; every row names exactly one of the two. The rest of an item's
state (new, in progress, in review, accepted, rejected) is derived from its masks or masklets and
their reviews when it is read (selectors.py); only a person's decision is stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q

ONE_ITEM = Q(image__isnull=False, video__isnull=True) | Q(image__isnull=True, video__isnull=False)


class ItemDecision(models.Model):
    """A person's decision on an item; no row: nobody decided (the item is new or in progress).
    With several annotators per item (Project.annotators_per_item), `complete` is written when the
    last of them completes it (Completion rows)."""

    class Decision(models.TextChoices):
        COMPLETE = "complete"
        SKIPPED = "skipped"
        FLAGGED = "flagged"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    image = models.OneToOneField(
        "media.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="decision"
    )
    video = models.OneToOneField(
        "media.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="decision"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField(blank=True, help_text="why it was flagged (or skipped)")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=ONE_ITEM, name="decision_of_one_item")]
        indexes = [models.Index(fields=["project", "decision"])]

    def __str__(self) -> str:
        return f"{self.decision} image {self.image_id}" if self.image_id else f"{self.decision} video {self.video_id}"


class Completion(models.Model):
    """One annotator finished an item."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    image = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey("media.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_ITEM, name="completion_of_one_item"),
            models.UniqueConstraint(fields=["image", "user"], name="one_completion_per_image_and_user"),
            models.UniqueConstraint(fields=["video", "user"], name="one_completion_per_video_and_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {'image ' + str(self.image_id) if self.image_id else 'video ' + str(self.video_id)}"


class Claim(models.Model):
    """A person holds an item to annotate or to review it, until `expires_at` (renewed by their
    activity) or until they complete, skip, flag or leave it. A row past `expires_at` holds
    nothing; it is removed when the item or the person is next handed out."""

    class Purpose(models.TextChoices):
        ANNOTATE = "annotate"
        REVIEW = "review"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    image = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    video = models.ForeignKey("media.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["project_id", "claimed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=ONE_ITEM, name="claim_of_one_item"),
            models.UniqueConstraint(fields=["image", "user", "purpose"], name="one_claim_per_image_user_purpose"),
            models.UniqueConstraint(fields=["video", "user", "purpose"], name="one_claim_per_video_user_purpose"),
        ]
        indexes = [models.Index(fields=["project", "user", "purpose"])]

    def __str__(self) -> str:
        item = f"image {self.image_id}" if self.image_id else f"video {self.video_id}"
        return f"{self.user_id} holds {item} to {self.purpose} until {self.expires_at:%H:%M:%S}"
