from django.contrib import admin

from backend.training.models import ModelVersion, ScheduledRun, TrainingRound, TrainingSchedule


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "version", "status", "parent_version", "created_at", "promoted_at"]
    list_filter = ["status", "spec"]
    search_fields = ["version"]


@admin.register(TrainingRound)
class TrainingRoundAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "trigger", "parent_version", "candidate", "promoted", "masks_used", "created_at"]
    list_filter = ["trigger", "promoted"]


@admin.register(TrainingSchedule)
class TrainingScheduleAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "name", "periodic_task", "every_masks", "min_new_masks", "paused", "created_at"]
    list_filter = ["paused"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["id", "schedule", "trigger", "outcome", "training_round", "new_masks", "created_at"]
    list_filter = ["trigger", "outcome"]
