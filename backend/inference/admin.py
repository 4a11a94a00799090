from django.contrib import admin

from backend.inference.models import Embedding, VideoPrompt, VideoSession


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ["id", "sha256", "model_version", "status", "size_bytes", "seconds", "created_at"]
    list_filter = ["status", "model_version"]
    search_fields = ["sha256"]


@admin.register(VideoSession)
class VideoSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "worker", "tracker_version", "last_used"]


@admin.register(VideoPrompt)
class VideoPromptAdmin(admin.ModelAdmin):
    list_display = ["id", "session", "seq", "kind", "frame", "obj_id", "created_at"]
