from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "backend.media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.media import permissions

        permissions.register()
