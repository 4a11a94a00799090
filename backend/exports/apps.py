from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "backend.exports"
    label = "exports"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.exports import permissions

        permissions.register()
