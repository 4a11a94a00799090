"""The README's run command on the embedded default: SQLite, the filesystem broker, local files and
a worker beside the web server, with no other service involved."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.media_factory import jpeg_bytes

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, OSError):  # refused, reset or timed out: not up yet, ask again
        return None, None


def test_run_embedded_serves_a_healthy_app(tmp_path):
    port = free_port()
    service_vars = (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "STORAGE_URL",
        "S3_ENDPOINT_URL",
        "MODEL_CHECKPOINT_DIR",
        "MODEL",
    )
    env = {k: v for k, v in os.environ.items() if k not in service_vars}
    env.update(
        {
            "VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SUPERUSER_USERNAME": "boss",
            "DJANGO_SUPERUSER_PASSWORD": "a-good-password-42",
            "MODEL_CHECKPOINT_DIR": str(tmp_path / "no-checkpoints"),
            # As on a machine without internet: the default checkpoint's download finds no host.
            "MODEL_AUTO_FETCH": "1",
            "MODEL_CHECKPOINT_BASE_URL": f"http://127.0.0.1:{free_port()}/",
        }
    )
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "backend/manage.py", "run_embedded", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy():
            if process.poll() is not None:
                raise AssertionError((tmp_path / "run.log").read_text())
            status, body = get_json(f"{base}/api/health/")
            return body if status == 200 else None

        body = wait_until(healthy, timeout=120, interval=0.5, what="embedded app healthy")
        assert body["checks"]["database"]["engine"] == "sqlite"
        assert "filesystem" in body["checks"]["broker"]["transport"]
        assert body["checks"]["storage"]["kind"] == "local"
        assert body["checks"]["model"]["fallback"] is True  # no checkpoint: classical, and it says so

        def download_gave_up():  # within the connect timeout; the app served all along
            _, answer = get_json(f"{base}/api/health/")
            return "the automatic download failed" in (answer["checks"]["model"]["reason"] or "")

        wait_until(download_gave_up, timeout=60, interval=0.5, what="the reason for the missing model in health")
        assert "python -m models fetch sam2:hiera_t" in (tmp_path / "run.log").read_text()
        assert (tmp_path / "var" / "db.sqlite3").exists()

        # the admin from the environment can log in, create a project and upload a photo
        token = _post_json(f"{base}/api/auth/token/", {"username": "boss", "password": "a-good-password-42"})["token"]
        auth = {"Authorization": f"Token {token}"}
        project = _post_json(f"{base}/api/projects/", {"name": "embedded", "categories": ["thing"]}, auth)
        _upload(f"{base}/api/projects/{project['id']}/images/", "photo.jpg", jpeg_bytes(seed=77), auth)

        def embedded_ready():  # the worker beside the server computed the embedding
            _, images = get_json(f"{base}/api/projects/{project['id']}/images/", auth)
            return images["results"][0]["embedding_status"] == "ready"

        wait_until(embedded_ready, timeout=90, interval=0.5, what="embedding computed by the embedded worker")
        assert list((tmp_path / "var" / "media" / "images").rglob("*.jpg"))
    finally:
        os.killpg(process.pid, 15)
        process.wait(30)


def _post_json(url: str, payload: dict, headers=None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _upload(url: str, name: str, data: bytes, headers: dict) -> list:
    boundary = "embedded-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **headers}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())
