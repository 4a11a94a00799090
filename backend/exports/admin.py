from django.contrib import admin

from backend.exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "format", "item_count", "size_bytes", "created_at"]
    list_filter = ["format"]
