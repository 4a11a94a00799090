"""manage.py run_embedded: migrate, make sure an admin exists, start downloading the default model
checkpoints when they are missing (in the background: the app starts at once, on the classical
fallback until they land), then run a Celery worker and the web server side by side (what `make run`
starts). Stops everything on Ctrl+C; a partial download resumes at the next start."""

import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backend.inference.checkpoint_fetch import start_checkpoint_fetch, stop_checkpoint_fetch


class Command(BaseCommand):
    help = "Run the web server and a worker on this machine (embedded default: no servers needed)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-threads", type=int, default=4)

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin()
        if start_checkpoint_fetch() is not None:
            self.stdout.write(
                "downloading the missing model checkpoints in the background (progress below); the classical "
                "fallback serves until they land, then the model takes over without a restart"
            )
        # This command fetches the checkpoints; the worker beside it need not try again.
        env = {**os.environ, "PYTHONPATH": str(settings.REPO_DIR), "MODEL_AUTO_FETCH": "0"}
        python = sys.executable
        worker = subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "backend.config",
                "worker",
                "-Q",
                "gpu,cpu,train",
                "-c",
                "1",
                "--pool",
                "solo",
                "-n",
                "embedded@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=settings.REPO_DIR,
            env=env,
        )
        web = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "backend.config.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                "1",
                "--threads",
                str(options["web_threads"]),
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            cwd=settings.REPO_DIR,
            env=env,
        )
        self.stdout.write(
            self.style.SUCCESS(f"serving on http://{options['host']}:{options['port']}/ (health: /api/health/)")
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and worker.poll() is None and web.poll() is None:
            time.sleep(0.5)
        stop_checkpoint_fetch()
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()
        for process in (web, worker):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        if not stopping:
            self.stderr.write("a process exited; stopped the other")
            sys.exit(1)

    def _ensure_admin(self) -> None:
        users = get_user_model().objects
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if username and password:
            if not users.filter(username=username).exists():
                users.create_superuser(username=username, password=password, email="")
                self.stdout.write(f"created admin {username!r} from DJANGO_SUPERUSER_USERNAME/PASSWORD")
            return
        if users.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username="admin", password=password, email="")
        note = settings.VAR_DIR / "admin-credentials.txt"
        note.write_text(f"username: admin\npassword: {password}\n")
        note.chmod(0o600)
        self.stdout.write(
            self.style.WARNING(f"created admin: username 'admin', password '{password}' (also in {note})")
        )
