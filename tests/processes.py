"""Processes that fault tests and bench/bench_faults.py start, break and stop themselves: a Redis
server of their own on a spare port, the web server (gunicorn), the embedded default
(`manage.py run_embedded`), and a small JSON client for them. Never the machine's shared services."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Quick fault detection for the processes of a fault scenario (the reconciler judges with these).
FAST_RECOVERY = {
    "WORKER_HEARTBEAT_SECONDS": 0.5,
    "WORKER_STALE_SECONDS": 3,
    "JOB_RECONCILE_SECONDS": 1,
    "JOB_PUBLISH_GRACE_SECONDS": 1,
    "JOB_LOST_GRACE_SECONDS": 4,
    "OMP_NUM_THREADS": 1,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy (the tests' wait_until, without pytest)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class OwnedRedis:
    """A redis-server of the test's own (no persistence), started and stopped at will on one port,
    so a broker or cache outage never touches the machine's shared Redis."""

    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="owned-redis-")))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "OwnedRedis":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open(self.port), 20, f"redis on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        wait_for(lambda: not port_open(self.port), 10, f"redis on port {self.port} to close")

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def tiny_sam_env(folder: Path) -> dict[str, str]:
    """A tiny SAM in the official checkpoint format (made here, never downloaded) as the model; its
    random weights are served under the unverified-model warning (as a site that allows them would),
    since the stages, automatic runs and rounds these processes run need a learned model."""
    from models.checkpoints import TEST_CHECKPOINTS
    from models.tiny import save_tiny_sam

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEST_CHECKPOINTS["sam:tiny"].file_name
    if not path.exists():
        save_tiny_sam(path, seed=0)
    return {"MODEL": "sam:tiny", "MODEL_CHECKPOINT_DIR": str(folder), "MODEL_ALLOW_UNVERIFIED": "1"}


def process_env(**overrides) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


@dataclass
class Service:
    """A long-running child process (its own process group, so a kill takes its children too)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def beat_service(env: dict[str, str], log_folder: Path) -> Service:
    """celery beat with the deployment's scheduler (settings.CELERY_BEAT_SCHEDULER)."""
    name = f"beat-{uuid.uuid4().hex[:6]}"
    command = [sys.executable, "-m", "celery", "-A", "backend.config", "beat", "-l", "INFO"]
    command += ["--schedule", str(log_folder / f"{name}-schedule")]
    return Service(name, command, env, log_folder / f"{name}.log")


def web_service(env: dict[str, str], log_folder: Path, threads: int = 4) -> tuple[Service, str]:
    """gunicorn on a spare port; returns the service and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "backend.config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", str(threads), "--timeout", "120"]
    service = Service("web", command, env, log_folder / f"web-{port}.log")
    return service, f"http://127.0.0.1:{port}"


def worker_service(env: dict[str, str], log_folder: Path, queues: str = "gpu,cpu,train") -> Service:
    hostname = f"fault-{uuid.uuid4().hex[:6]}@localhost"
    command = [sys.executable, "-m", "celery", "-A", "backend.config", "worker", "-Q", queues, "-c", "1"]
    command += ["--pool", "prefork", "-n", hostname, "--without-gossip", "--without-mingle", "-l", "INFO"]
    service = Service(hostname, command, env, log_folder / f"{hostname.split('@')[0]}.log")
    return service


@dataclass
class Answer:
    status: int | None  # None: no answer at all (connection refused, reset, timed out)
    body: object


class Http:
    """JSON over HTTP against a server process, with an optional API token."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 60):
        self.base, self.token, self.timeout = base, token, timeout

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Accept": "application/json", **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        return headers

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, _decode(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _decode(error.read()))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return Answer(None, None)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self._send(urllib.request.Request(self.base + path, headers=self._headers(headers)))

    def post(self, path: str, payload: dict | None = None) -> Answer:
        return self._json("POST", path, payload)

    def patch(self, path: str, payload: dict | None = None) -> Answer:
        return self._json("PATCH", path, payload)

    def delete(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path, method="DELETE", headers=self._headers()))

    def _json(self, method: str, path: str, payload: dict | None) -> Answer:
        data = json.dumps(payload or {}).encode()
        headers = self._headers({"Content-Type": "application/json"})
        return self._send(urllib.request.Request(self.base + path, data=data, method=method, headers=headers))

    def upload(self, path: str, files: list[tuple[str, bytes, str]]) -> Answer:
        """multipart/form-data with `files` fields: (file name, bytes, content type)."""
        boundary = uuid.uuid4().hex
        body = b""
        for name, data, content_type in files:
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            body += data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        headers = self._headers({"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST", headers=headers))


def _decode(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


@dataclass
class EmbeddedApp:
    """`manage.py run_embedded` (the README's `make run`) in its own VAR_DIR and port."""

    var_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    service: Service | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "EmbeddedApp":
        command = [sys.executable, "backend/manage.py", "run_embedded", "--port", str(self.port)]
        env = {**self.env, "VAR_DIR": str(self.var_dir)}
        self.service = Service("embedded", command, env, self.var_dir.parent / f"embedded-{self.port}.log").start()
        return self

    def wait_healthy(self, timeout: float = 180) -> dict:
        def healthy():
            if not self.service.alive():
                raise AssertionError(f"run_embedded exited:\n{self.service.log()[-4000:]}")
            answer = Http(self.base).get("/api/health/")
            return answer.body if answer.status == 200 else None

        return wait_for(healthy, timeout, "the embedded app healthy", interval=0.5)

    def pids(self) -> dict[str, int]:
        path = self.var_dir / "supervisor.pids"
        if not path.exists():
            return {}
        return {name: int(pid) for name, pid in (line.split() for line in path.read_text().splitlines())}

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop(timeout=60)


def embedded_env(**overrides) -> dict[str, str]:
    """The environment of the embedded default: the test session's services left out."""
    services = ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL", "S3_ENDPOINT_URL", "CELERY_KEY_PREFIX")
    return process_env(**{**dict.fromkeys(services), **overrides})
