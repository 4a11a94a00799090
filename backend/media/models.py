"""Media of a project: images, videos and the frames extracted from videos."""

from django.conf import settings
from django.db import models


class MediaItem(models.Model):
    """What images and videos share: content address, size and the escaped original name."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="%(class)ss")
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_key = models.CharField(max_length=255)
    file_name = models.CharField(max_length=255, blank=True, help_text="original name, HTML-escaped; metadata only")
    format = models.CharField(max_length=16)
    size_bytes = models.BigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.file_name or self.sha256[:12]} ({self.width}x{self.height})"


class Image(MediaItem):
    external_id = models.BigIntegerField(null=True, blank=True, help_text="id in an imported file (SA-1B image_id)")

    class Meta(MediaItem.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "sha256"], name="unique_image_per_project")]


class Video(MediaItem):
    class Environment(models.TextChoices):
        """SA-V's video_environment values; blank until a person sets it."""

        INDOOR = "Indoor"
        OUTDOOR = "Outdoor"

    class Split(models.TextChoices):
        TRAIN = "train"
        VAL = "val"
        TEST = "test"

    fps = models.FloatField()
    frame_count = models.PositiveIntegerField(help_text="frames in the source video")
    duration = models.FloatField(help_text="seconds")
    annotation_fps = models.FloatField(help_text="rate at which frames are extracted and annotated")
    environment = models.CharField(
        max_length=8, choices=Environment.choices, blank=True, help_text="SA-V video_environment; set by people"
    )
    split = models.CharField(max_length=5, choices=Split.choices, default=Split.TRAIN, help_text="SA-V video_split")

    class Meta(MediaItem.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "sha256"], name="unique_video_per_project")]


class Frame(models.Model):
    """An extracted frame: `index` counts annotated frames (at the annotation fps); `source_index`
    is the frame number in the source video."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="frames")
    index = models.PositiveIntegerField()
    source_index = models.PositiveIntegerField()
    timestamp = models.FloatField()
    storage_key = models.CharField(max_length=255)

    class Meta:
        ordering = ["video_id", "index"]
        constraints = [models.UniqueConstraint(fields=["video", "index"], name="unique_frame_index")]

    def __str__(self) -> str:
        return f"frame {self.index} of video {self.video_id}"
