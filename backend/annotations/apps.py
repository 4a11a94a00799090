from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "backend.annotations"
    label = "annotations"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.annotations import permissions

        permissions.register()
