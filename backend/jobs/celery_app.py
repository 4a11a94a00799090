"""The Celery application: queues gpu (model work), cpu (media, exports) and train (retraining).
Workers start with `celery -A backend.config worker` (config re-exports this app)."""

import os

from celery import Celery
from django.conf import settings
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("engine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("gpu"), Queue("cpu"), Queue("train"))
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem:// broker (embedded default) needs its folders before the first message."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            os.makedirs(options[key], exist_ok=True)
