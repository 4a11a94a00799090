from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds project-wide management commands (run_embedded) and the outage receiver."""

    name = "backend.config"
    label = "engine_config"

    def ready(self) -> None:
        # Django's app loading: signal receivers connect once every app is ready.
        from django.core.signals import got_request_exception

        from backend.config.middleware import note_outage

        got_request_exception.connect(note_outage, dispatch_uid="engine.note_outage")
