"""Export jobs: a format, options, and the file they wrote to storage."""

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    class Format(models.TextChoices):
        COCO = "coco", "COCO instances (RLE)"
        SA1B = "sa1b", "SA-1B (tar of sa_<id>.json and images)"
        SAV = "sav", "SA-V (tar of <video_id>_manual.json and frames)"
        PLM_FGQA = "plm-fgqa", "PLM fine-grained video QA (JSON Lines)"
        PLM_STC = "plm-stc", "PLM region captions (tar of rcap, rtloc, rdcap JSON Lines)"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=16, choices=Format.choices)
    options = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="export")
    storage_key = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.format} export of {self.project_id}"
