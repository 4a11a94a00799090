"""Django project configuration: settings, URLs, health and WSGI; the Celery app (owned by jobs)
is re-exported here so `celery -A backend.config` finds it."""

from backend.jobs.celery_app import app as celery_app

__all__ = ("celery_app",)
