from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "backend.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Django's app loading: models are importable only once every app is ready.
        from backend.jobs import worker  # noqa: F401 - registers the heartbeat bootstep
        from backend.jobs.celery_app import ensure_broker_folders

        ensure_broker_folders()
