from django.contrib import admin

from backend.work.models import Claim, Completion, ItemDecision


@admin.register(ItemDecision)
class ItemDecisionAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "image", "video", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["reason"]
    raw_id_fields = ["image", "video", "decided_by"]


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "image", "video", "user", "completed_at"]
    raw_id_fields = ["image", "video", "user"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "image", "video", "user", "purpose", "claimed_at", "expires_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["image", "video", "user"]
