"""Under ASGI every request runs on a thread of its own, so a connection kept per thread
(DATABASE_CONN_MAX_AGE) is never reused and piles up; DATABASE_POOL_SIZE gives each web process a
pool instead (backend/config/settings.py). Against PostgreSQL and gunicorn with the uvicorn worker,
as docker-compose runs the web service: concurrent requests share at most the pool's connections,
the same server connections answer later requests, and they close with the process."""

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.conftest import OUTPUT
from tests.processes import REPO, Http, Service, free_port, process_env, wait_for

pytestmark = pytest.mark.integration
POOL = 3
APP = "engine-pool-test"


def _web_backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP])
        return {row[0] for row in cursor.fetchall()}


def test_asgi_requests_share_a_pool_of_connections(transactional_db, worker_database_url, make_user):
    token = Token.objects.create(user=make_user()).key
    env = process_env(
        DATABASE_URL=f"{worker_database_url}?application_name={APP}",
        DATABASE_POOL_SIZE=POOL,
        DATABASE_CONN_MAX_AGE=60,  # what a pool replaces: kept per thread, it would pile up
    )
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "backend/config/gunicorn.conf.py")]
    command += ["backend.config.asgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    web = Service("web-asgi", command, env, OUTPUT / "asgi-pool" / f"web-{port}.log").start()
    client = Http(f"http://127.0.0.1:{port}", token)
    try:
        wait_for(lambda: client.get("/api/projects/").status == 200, 120, "the ASGI web process")

        def batch() -> set[int]:
            with ThreadPoolExecutor(8) as threads:
                answers = list(threads.map(lambda _: client.get("/api/projects/"), range(40)))
            assert [a.status for a in answers] == [200] * 40
            return _web_backends()

        first, second = batch(), batch()
        assert 1 <= len(first) <= POOL and 1 <= len(second) <= POOL, (first, second)
        assert first & second, "no server connection outlived its request: nothing was reused"
    finally:
        web.stop()
    wait_for(lambda: not _web_backends(), 30, "the web process's connections to close")
