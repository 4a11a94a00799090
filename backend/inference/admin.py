from django.contrib import admin

from backend.inference.models import Embedding


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ["id", "sha256", "model_version", "status", "size_bytes", "seconds", "created_at"]
    list_filter = ["status", "model_version"]
    search_fields = ["sha256"]
