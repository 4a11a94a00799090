"""ASGI entry point: gunicorn with uvicorn workers (`make run`, the Dockerfile). Every view runs as
under WSGI (a thread per request), and the video sessions' event streams wait as coroutines, so
hundreds of open video pages hold no thread (backend/inference/video_events.py)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
