"""Shared fixtures: users and API clients, projects, and a real Celery worker process."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture
def make_user(db):
    def make(username=None, password="pw-for-tests-123", **extra):
        user = get_user_model().objects.create_user(
            username=username or f"user-{uuid.uuid4().hex[:8]}", password=password, **extra
        )
        user.raw_password = password
        return user

    return make


@pytest.fixture
def client_for(db):
    def client(user) -> APIClient:
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return client


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture(scope="session")
def services():
    """PostgreSQL, Redis and SeaweedFS are configured and answer (and the S3 bucket exists)."""
    from tests.environment import require_services

    require_services()


@pytest.fixture(scope="session", autouse=True)
def _services_of_this_session(request):
    """In the services mode every test runs against them (unit tests too: storage is S3), so they
    are checked once, first; the embedded mode needs none."""
    from tests.environment import USE_SERVICES

    if USE_SERVICES:
        request.getfixturevalue("services")


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """Tests make many users: hash their passwords cheaply (production keeps Django's PBKDF2)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def without_embedding_on_upload():
    """New images get no embedding job (the receiver inference connects is off for the test)."""
    from backend.inference.receivers import on_image_created
    from backend.media.signals import image_created

    uid = "inference.embed_new_images"
    image_created.disconnect(dispatch_uid=uid)
    yield
    image_created.connect(on_image_created, dispatch_uid=uid)


@pytest.fixture
def project_factory(db):
    from backend.projects.models import Membership
    from backend.projects.services import project_create

    def make(owner, name=None, kind="image", categories=("object",), members=()):
        project = project_create(
            user=owner, name=name or f"project-{uuid.uuid4().hex[:8]}", kind=kind, categories=categories
        )
        for user, role in members:
            Membership.objects.create(user=user, project=project, role=role)
        return project

    return make


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    hostname: str
    log_path: Path
    env: dict = field(default_factory=dict)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL the whole worker (parent and pool children): the way a machine dies."""
        if self.alive():
            subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def worker_database_url(django_db_setup, django_db_blocker) -> str:
    """The test database as a URL for worker processes; the broker is purged once per session."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    _purge_broker(settings.CELERY_BROKER_URL)
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_factory(worker_database_url):
    """Start real `celery worker` processes against the test database, Redis and S3; every worker a
    test starts is stopped when it ends, so no worker serves another test with other settings."""
    started: list[WorkerProcess] = []

    def start(queues="gpu,cpu,train", **env_overrides) -> WorkerProcess:
        hostname = f"test-{uuid.uuid4().hex[:6]}@localhost"
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url,
            "PYTHONPATH": str(REPO),
            **{k: str(v) for k, v in env_overrides.items()},
        }
        log_path = OUTPUT / "workers" / f"{hostname.split('@')[0]}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend.config",
            "worker",
            "-Q",
            queues,
            "-c",
            "1",
            "--pool",
            "prefork",
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ]
        with log_path.open("w") as log:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = WorkerProcess(process, hostname, log_path, env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _purge_broker(url: str) -> None:
    """Drop what an earlier, interrupted session with the same key prefix left in the broker."""
    prefix = os.environ.get("CELERY_KEY_PREFIX")
    if url.startswith("redis://") and prefix:
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def wait_for_worker(worker: WorkerProcess, timeout: float = 90.0) -> WorkerProcess:
    from backend.jobs.models import WorkerHeartbeat

    def ready():
        if not worker.alive():
            raise AssertionError(f"worker exited:\n{worker.log()[-3000:]}")
        return WorkerHeartbeat.objects.filter(hostname=worker.hostname).exists()

    wait_until(ready, timeout, what=f"worker {worker.hostname} heartbeat")
    return worker


@pytest.fixture
def celery_worker(transactional_db, worker_factory):
    """A worker on all queues serving the classical model, for one test."""
    worker = worker_factory()
    yield wait_for_worker(worker)
    worker.stop()


def wait_for_job(job_id: int, timeout: float = 120.0, worker: WorkerProcess | None = None):
    from backend.jobs.models import Job

    def final():
        job = Job.objects.get(pk=job_id)
        if worker is not None and not worker.alive():
            raise AssertionError(f"worker died:\n{worker.log()[-3000:]}")
        return job if job.is_final else None

    return wait_until(final, timeout, what=f"job {job_id}")
