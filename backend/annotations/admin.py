from django.contrib import admin

from backend.annotations.models import (
    AutoMaskRun,
    Mask,
    Masklet,
    MaskletFrame,
    MaskRollup,
    PromptEvent,
    RegionCaption,
    Review,
    VideoQuestion,
)


class PromptEventInline(admin.TabularInline):
    model = PromptEvent
    extra = 0


@admin.register(Mask)
class MaskAdmin(admin.ModelAdmin):
    list_display = ["id", "image", "category", "source", "status", "area", "version", "seconds", "clicks", "created_by"]
    list_filter = ["source", "status"]
    inlines = [PromptEventInline]


@admin.register(PromptEvent)
class PromptEventAdmin(admin.ModelAdmin):
    list_display = ["id", "mask", "kind", "x", "y", "label", "t_ms"]


@admin.register(AutoMaskRun)
class AutoMaskRunAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "image", "model_version", "mask_count", "seconds", "created_at"]


@admin.register(Masklet)
class MaskletAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "object_id", "category", "status", "created_by", "updated_at"]
    list_filter = ["status"]


@admin.register(MaskletFrame)
class MaskletFrameAdmin(admin.ModelAdmin):
    list_display = ["id", "masklet", "frame_index", "area", "edited", "source", "updated_at"]
    list_filter = ["edited", "source"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "mask", "masklet", "reviewer", "decision", "seconds", "created_at"]
    list_filter = ["decision"]


@admin.register(VideoQuestion)
class VideoQuestionAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "q_type", "q_subtype", "start_time", "end_time", "is_audited"]
    list_filter = ["q_type", "is_audited"]


@admin.register(RegionCaption)
class RegionCaptionAdmin(admin.ModelAdmin):
    list_display = ["id", "masklet", "kind", "start_frame", "end_frame", "status"]
    list_filter = ["kind", "status"]


@admin.register(MaskRollup)
class MaskRollupAdmin(admin.ModelAdmin):
    """Read-only: PostgreSQL triggers keep these counts."""

    list_display = ["id", "project_id", "image_id", "day", "stage", "annotator_id", "model_version", "total"]
    list_filter = ["stage", "day"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
