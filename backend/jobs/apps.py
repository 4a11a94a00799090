from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "backend.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from backend.config.celery import _ensure_broker_folders

        _ensure_broker_folders()
        from backend.jobs import worker  # noqa: F401  (registers the heartbeat bootstep)
