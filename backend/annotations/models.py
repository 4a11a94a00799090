"""Masks with how they were made: COCO RLE, source, model version, seconds, clicks, prompt log."""

from django.conf import settings
from django.db import models


class Mask(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual"
        ASSISTED = "assisted"
        AUTO = "auto"

    class Status(models.TextChoices):
        PROPOSED = "proposed"  # an automatic mask waiting for a person
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    # Masks that count as work done: proposals and rejected masks do not.
    KEPT = (Status.SUBMITTED, Status.ACCEPTED)

    image = models.ForeignKey("media.Image", on_delete=models.CASCADE, related_name="masks")
    category = models.ForeignKey(
        "projects.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="masks"
    )
    rle = models.JSONField(help_text="COCO RLE {size: [h, w], counts: compressed str}")
    area = models.PositiveIntegerField()
    bbox = models.JSONField(help_text="COCO [x, y, w, h] with w = x_max - x_min + 1")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    predicted_iou = models.FloatField(null=True, blank=True)
    stability_score = models.FloatField(null=True, blank=True)
    point_coords = models.JSONField(default=list, blank=True)
    crop_box = models.JSONField(null=True, blank=True, help_text="automatic masks: XYWH crop they came from")
    stage = models.CharField(max_length=8, blank=True, help_text="the project's stage when the mask was made")
    edited = models.BooleanField(
        default=False, help_text="the pixels were changed after the mask was proposed or saved"
    )
    external_id = models.BigIntegerField(
        null=True, blank=True, help_text="id in an imported file (SA-1B annotation id)"
    )
    model_version = models.CharField(max_length=128, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="optimistic lock: bumped by every change")
    seconds = models.FloatField(default=0.0, help_text="time the annotator spent on this mask")
    clicks = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["image_id", "id"]
        indexes = [
            models.Index(fields=["image", "status"]),
            models.Index(fields=["image", "id"], name="mask_image_keyset"),  # keyset pages of the list
        ]

    def __str__(self) -> str:
        return f"mask {self.pk} on image {self.image_id}"


class AutoMaskRun(models.Model):
    """One image done by an automatic-mask job: written in the same transaction as its masks, so a
    job resumed after a dead worker skips it (each image is done exactly once per job)."""

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="auto_mask_runs")
    image = models.ForeignKey("media.Image", on_delete=models.CASCADE, related_name="auto_mask_runs")
    model_version = models.CharField(max_length=128)
    mask_count = models.PositiveIntegerField()
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "image"], name="one_run_per_image_per_job")]

    def __str__(self) -> str:
        return f"image {self.image_id} of job {self.job_id}: {self.mask_count} masks"


class PromptEvent(models.Model):
    """One click or box of the session that made (or edited) a mask, with its time."""

    class Kind(models.TextChoices):
        POINT = "point"
        BOX = "box"
        BRUSH = "brush"
        ERASER = "eraser"

    mask = models.ForeignKey(Mask, on_delete=models.CASCADE, related_name="prompts")
    mask_version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    label = models.SmallIntegerField(null=True, blank=True)
    box = models.JSONField(null=True, blank=True)
    t_ms = models.PositiveIntegerField(help_text="milliseconds since the mask's session started")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mask_id", "mask_version", "t_ms", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on mask {self.mask_id} at {self.t_ms} ms"


class Masklet(models.Model):
    """One object tracked through a video (SA-V's masklet): its per-frame masks are MaskletFrames."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    video = models.ForeignKey("media.Video", on_delete=models.CASCADE, related_name="masklets")
    object_id = models.PositiveIntegerField(help_text="the tracker's object id, unique within the video")
    category = models.ForeignKey(
        "projects.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="masklets"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["video_id", "object_id"]
        constraints = [models.UniqueConstraint(fields=["video", "object_id"], name="unique_object_per_video")]

    def __str__(self) -> str:
        return f"masklet {self.object_id} of video {self.video_id}"


class MaskletFrame(models.Model):
    """The mask of one masklet on one annotated frame. `edited`: a person prompted or fixed it."""

    class Source(models.TextChoices):
        PROMPTED = "prompted"
        PROPAGATED = "propagated"
        MANUAL = "manual"

    masklet = models.ForeignKey(Masklet, on_delete=models.CASCADE, related_name="frames")
    frame_index = models.PositiveIntegerField()
    rle = models.JSONField()
    area = models.PositiveIntegerField()
    edited = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROPAGATED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["masklet_id", "frame_index"]
        constraints = [models.UniqueConstraint(fields=["masklet", "frame_index"], name="one_mask_per_masklet_frame")]

    def __str__(self) -> str:
        return f"masklet {self.masklet_id} on frame {self.frame_index}"


class Review(models.Model):
    """A reviewer's decision on a submitted mask or masklet (a masklet is judged as a whole, as in
    SA-V). A rejection carries its reason back to the annotator."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        FIXED = "fixed"  # the reviewer corrected it and accepted it

    mask = models.ForeignKey(Mask, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    masklet = models.ForeignKey(Masklet, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField(blank=True)
    seconds = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(mask__isnull=False, masklet__isnull=True)
                    | models.Q(mask__isnull=True, masklet__isnull=False)
                ),
                name="review_of_one_item",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.decision} of {'mask ' + str(self.mask_id) if self.mask_id else 'masklet ' + str(self.masklet_id)}"
        )


class VideoQuestion(models.Model):
    """A fine-grained question / answer pair on a time segment of a video (PLM-FGQA)."""

    video = models.ForeignKey("media.Video", on_delete=models.CASCADE, related_name="questions")
    start_time = models.FloatField(help_text="segment start, seconds")
    end_time = models.FloatField(help_text="segment end, seconds")
    question = models.TextField()
    answer = models.TextField()
    q_type = models.CharField(max_length=64)
    q_subtype = models.CharField(max_length=64, blank=True)
    what_description = models.TextField(blank=True)
    domain = models.CharField(max_length=64, blank=True)
    is_audited = models.BooleanField(default=False)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["video_id", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.q_type} question on video {self.video_id}"


class RegionCaption(models.Model):
    """A spatio-temporal region caption on a masklet (PLM-STC): rcap (caption of a span), rtloc
    (a caption whose span is what is asked for), rdcap (consecutive spans, each captioned)."""

    class Kind(models.TextChoices):
        RCAP = "rcap"
        RTLOC = "rtloc"
        RDCAP = "rdcap"

    masklet = models.ForeignKey(Masklet, on_delete=models.PROTECT, related_name="captions")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    start_frame = models.PositiveIntegerField(null=True, blank=True)
    end_frame = models.PositiveIntegerField(null=True, blank=True)
    caption = models.TextField(blank=True)
    dense_captions = models.JSONField(default=list, blank=True, help_text="rdcap: [{start_frame, end_frame, caption}]")
    status = models.CharField(max_length=10, choices=Masklet.Status.choices, default=Masklet.Status.SUBMITTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["masklet_id", "start_frame", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on masklet {self.masklet_id}"


class MaskRollup(models.Model):
    """Counts of a project's masks per (image, day, stage, annotator, model version), kept by
    PostgreSQL triggers on every insert, update and delete of masks (statement triggers over the
    changed rows: a COPY of 1,000 automatic masks is one upsert); the engine metrics read these few
    rows instead of every mask (backend.annotations.rollup). No foreign keys: rows follow the masks,
    and go when their last mask goes. On SQLite nothing keeps them and the metrics read the masks."""

    project_id = models.BigIntegerField(db_index=True)
    image_id = models.BigIntegerField()
    day = models.DateField(help_text="the masks' creation day (UTC)")
    stage = models.CharField(max_length=8, blank=True)
    annotator_id = models.BigIntegerField(help_text="who last changed the masks, else who made them; 0: nobody")
    model_version = models.CharField(max_length=128, blank=True)
    total = models.BigIntegerField(default=0, help_text="masks")
    kept = models.BigIntegerField(default=0, help_text="submitted or accepted")
    person = models.BigIntegerField(default=0, help_text="manual or assisted")
    person_seconds = models.FloatField(default=0.0)
    person_clicks = models.BigIntegerField(default=0)
    decided = models.BigIntegerField(default=0, help_text="automatic masks a person accepted or rejected")
    unchanged = models.BigIntegerField(default=0, help_text="decided, kept and not edited")
    decided_seconds = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["image_id", "day", "stage", "annotator_id", "model_version"], name="one_rollup_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"image {self.image_id} {self.day} {self.stage} by {self.annotator_id}: {self.total} masks"
