"""manage.py run_embedded: migrate, make sure an admin exists, start downloading the default model
checkpoints when they are missing (in the background: the app starts at once, on the classical
fallback until they land), then run the web server, a Celery worker and beat (retraining schedules) side by side under a
supervisor (what `make run` starts): a process that dies is restarted within seconds while the
others keep serving, and the supervisor reconciles jobs every JOB_RECONCILE_SECONDS, so the job a
killed worker was running resumes. Stops everything on Ctrl+C; a partial download resumes at the
next start."""

import os
import secrets
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backend.config.supervisor import ProcessSpec, Supervisor
from backend.inference.checkpoint_fetch import start_checkpoint_fetch, stop_checkpoint_fetch
from backend.jobs.reconcile import jobs_reconcile


def embedded_processes(host: str, port: int, web_threads: int) -> list[ProcessSpec]:
    """The processes of the embedded default: the web server, one worker on every queue, and beat,
    which fires the retraining schedules (settings.CELERY_BEAT_SCHEDULER) and the reconciler."""
    python = sys.executable
    worker = [python, "-m", "celery", "-A", "backend.config", "worker", "-Q", "gpu,cpu,train", "-c", "1"]
    worker += ["--pool", "solo", "-n", "embedded@%h", "--without-gossip", "--without-mingle", "-l", "INFO"]
    # ASGI (gunicorn.conf.py): requests run on threads as under WSGI; a video page's event stream is a coroutine.
    web = [python, "-m", "gunicorn", "-c", str(settings.REPO_DIR / "backend/config/gunicorn.conf.py")]
    web += ["backend.config.asgi:application", "--bind", f"{host}:{port}"]
    web += ["--workers", "1", "--threads", str(web_threads), "--timeout", "120", "--access-logfile", "-"]
    beat = [python, "-m", "celery", "-A", "backend.config", "beat", "-l", "INFO"]
    beat += ["--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]  # unused by the database scheduler
    return [ProcessSpec("web", web), ProcessSpec("worker", worker), ProcessSpec("beat", beat)]


class Command(BaseCommand):
    help = "Run the web server, a worker and beat on this machine (embedded default: no servers needed)."

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
        supervisor = Supervisor(
            embedded_processes(options["host"], options["port"], options["web_threads"]),
            cwd=settings.REPO_DIR,
            # This command fetches the checkpoints; the processes it supervises need not try again.
            env={**os.environ, "PYTHONPATH": str(settings.REPO_DIR), "MODEL_AUTO_FETCH": "0"},
            tick=jobs_reconcile,
            tick_seconds=settings.JOB_RECONCILE_SECONDS,
            say=self.stderr.write,
            status_path=settings.VAR_DIR / "supervisor.pids",
        )
        self.stdout.write(
            self.style.SUCCESS(f"serving on http://{options['host']}:{options['port']}/ (health: /api/health/)")
        )
        try:
            supervisor.run()
        finally:
            stop_checkpoint_fetch()

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
