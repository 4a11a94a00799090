"""Projects, their categories, and who works on them (memberships with a role). The lowest backend
app: every other one hangs its rows on a project.

The tables keep the names they had when Project and Category lived in `media` and Membership in
`accounts` (db_table), so moving the models changed no data."""

from django.conf import settings
from django.db import models


class Project(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"

    class Stage(models.TextChoices):
        ASSISTED = "assisted", "assisted-manual"
        SEMI = "semi", "semi-automatic"
        AUTO = "auto", "fully automatic"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.IMAGE)
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.ASSISTED)
    annotation_fps = models.PositiveSmallIntegerField(default=settings.DEFAULT_ANNOTATION_FPS)
    description = models.TextField(blank=True)
    gate_metric = models.CharField(
        max_length=16, default="NoC@90", help_text="a candidate goes live only if better on this"
    )
    review_required = models.BooleanField(default=False, help_text="exports take only reviewed-and-accepted items")
    qa_taxonomy = models.JSONField(default=dict, blank=True, help_text="video QA: {question type: [subtypes]}")
    amg_settings = models.JSONField(
        default=dict, blank=True, help_text="automatic-mask generator settings over SAM's defaults"
    )
    retrain_every_masks = models.PositiveIntegerField(
        null=True, blank=True, help_text="start a round every N newly accepted masks"
    )
    annotators_per_item = models.PositiveSmallIntegerField(
        default=1,
        help_text="annotators who work on each image or video independently; above 1 for agreement studies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_project"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#1f77b4")

    class Meta:
        db_table = "media_category"
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_category_name")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    MANAGER = "manager"
    RESEARCHER = "researcher"  # reads and exports


class Membership(models.Model):
    """A user's role in one project. Staff users are admins of every project."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_membership"
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="one_membership_per_project")]
        ordering = ["project_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.project_id}"
