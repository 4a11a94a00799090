from django.contrib import admin

from backend.training.models import ModelVersion, TrainingRound


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "version", "status", "parent_version", "created_at", "promoted_at"]
    list_filter = ["status", "spec"]
    search_fields = ["version"]


@admin.register(TrainingRound)
class TrainingRoundAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "trigger", "parent_version", "candidate", "promoted", "masks_used", "created_at"]
    list_filter = ["trigger", "promoted"]
