"""gunicorn settings for the web processes (`gunicorn -c backend/config/gunicorn.conf.py
backend.config.asgi:application`; make run, docker-compose and the Dockerfile use it).

- Warm workers: each worker loads the model predict serves (the prompt decoder, or the
  classical fallback) before it accepts a connection (post_worker_init), so no request waits for
  a load; a worker that is still loading leaves its connections to the others.
- Keep-alive longer than any client's idle pool: a browser or HTTP client keeps an idle
  connection for up to 60 s or so and reuses it without asking; gunicorn's default (2 s) closes it
  underneath, and a request sent on it in that instant is reset. WEB_KEEPALIVE_SECONDS (75)
  outlives them, so the client closes first.
- ASGI: uvicorn workers (WEB_WORKER_CLASS). Every view runs on a thread of its own as under WSGI,
  and each open video page's event stream (docs/live_video.md) is a coroutine, not a thread, so
  hundreds of open pages do not take the threads requests need. WEB_WORKER_CLASS=gthread with
  backend.config.wsgi:application serves the same app under WSGI (WEB_THREADS threads a worker,
  an open event stream holding one of them).
"""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "uvicorn_worker.UvicornWorker")
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "75"))
timeout = int(os.environ.get("WEB_TIMEOUT_SECONDS", "120"))
# Connections beyond workers x threads wait in the kernel's backlog, never refused.
backlog = 2048
worker_connections = 1000


def post_worker_init(worker) -> None:
    """Load what predict needs in this worker before it serves (warm processes)."""
    from backend.inference.warm import warm_process

    warm_process(worker.log.info)
