"""The benchmark's own services: a PostgreSQL database created for the run (dropped at the end), a
Redis key prefix and local storage in a temporary folder. Imported before Django is set up."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432"


def configure(name: str) -> dict[str, str]:
    """Point this process (and the processes it starts) at a database `name` of its own, a Redis
    key prefix and a temporary storage folder; returns the environment it set."""
    var = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    settings = {
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        "DATABASE_URL": f"{POSTGRES}/{name}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CELERY_KEY_PREFIX": f"{name}:",
        "STORAGE_URL": f"file://{var / 'media'}",
        "VAR_DIR": str(var),
        "MODEL": "classical",
        "MODEL_AUTO_FETCH": "0",
        "MODEL_CHECKPOINT_DIR": str(var / "checkpoints"),
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_STALE_SECONDS": "10",
        "PYTHONPATH": str(REPO),
    }
    os.environ.update(settings)
    os.environ.pop("S3_ENDPOINT_URL", None)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return settings


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(migrate: bool = True) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
