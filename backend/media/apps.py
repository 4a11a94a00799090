from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "backend.media"
    label = "media"
    verbose_name = "Projects and media"
