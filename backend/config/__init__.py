"""Django project configuration: settings, URLs, the Celery app and WSGI entry."""

from backend.config.celery import app as celery_app

__all__ = ("celery_app",)
