"""CPU per request of one gunicorn web process, by worker class, in one run: WSGI gthread (the
baseline), ASGI with uvicorn's pure-Python HTTP parser and asyncio loop (UvicornH11Worker), and ASGI
as deployed (UvicornWorker, which picks httptools and uvloop: both in requirements.txt). Each serves
400 authenticated GET /api/projects/ one after the other, connections from a pool of 4
(DATABASE_POOL_SIZE); the CPU of the gunicorn processes is read from /proc. Rounds alternate the
classes, so a load that moves on a shared machine moves them all.

Needs PostgreSQL (scripts/services.sh); makes and drops a database of its own.
    nice -n 10 .venv/bin/python bench/bench_asgi_overhead.py [--rounds 2] [--requests 400]
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scale.environment import configure, create_database, drop_database, setup_django  # noqa: E402

CLASSES = {
    "WSGI gthread": ("gthread", "backend.config.wsgi:application"),
    "ASGI h11 + asyncio": ("uvicorn_worker.UvicornH11Worker", "backend.config.asgi:application"),
    "ASGI httptools + uvloop": ("uvicorn_worker.UvicornWorker", "backend.config.asgi:application"),
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the gunicorn arbiter and its workers."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        pids = [pid, *(int(child) for child in children.read().split())]
    ticks = 0
    for each in pids:
        with open(f"/proc/{each}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(worker_class: str, app: str, token: str, requests: int) -> float:
    """CPU ms per request of a fresh single-worker gunicorn."""
    from tests.processes import free_port, wait_for

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "backend/config/gunicorn.conf.py"), app]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", worker_class]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/projects/", headers={"Authorization": f"Token {token}"}
    )

    def ask() -> bool:
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status == 200
        except OSError:
            return False

    try:
        wait_for(ask, 120, f"{worker_class} answering", interval=0.2)
        for _ in range(50):  # warm: imports, the pool's connections
            ask()
        before = cpu_seconds(server.pid)
        answered = sum(ask() for _ in range(requests))
        if answered != requests:
            raise RuntimeError(f"{worker_class}: {requests - answered} requests failed")
        return (cpu_seconds(server.pid) - before) / requests * 1000
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    name = f"engine_bench_asgi_{os.getpid()}"
    configure(name)
    os.environ.update(
        DEBUG="0", SECRET_KEY="bench-asgi-" + "x" * 40, SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1",
        DATABASE_POOL_SIZE="4", LOG_LEVEL="WARNING",
    )  # fmt: skip
    create_database(name)
    try:
        setup_django()
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        user = get_user_model().objects.create_user("bench-asgi", password="x" * 12)
        token = Token.objects.create(user=user).key
        figures: dict[str, list[float]] = {label: [] for label in CLASSES}
        for _ in range(args.rounds):
            for label, (worker_class, app) in CLASSES.items():
                figures[label].append(measure(worker_class, app, token, args.requests))
        baseline = statistics.median(figures["WSGI gthread"])
        print(f"CPU ms per request, median of {args.rounds} rounds of {args.requests} (GET /api/projects/)")
        for label, values in figures.items():
            median = statistics.median(values)
            print(f"{label:<26} {median:6.2f} ms  ({median / baseline:.2f}x WSGI)")
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
