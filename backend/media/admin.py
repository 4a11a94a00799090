from django.contrib import admin

from backend.media.models import Frame, Image, Video


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "file_name", "width", "height", "sha256", "created_at"]
    list_filter = ["project"]
    search_fields = ["sha256", "file_name"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "file_name", "width", "height", "fps", "frame_count", "annotation_fps"]
    list_filter = ["project"]


@admin.register(Frame)
class FrameAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "index", "source_index", "timestamp"]
    list_filter = ["video"]
