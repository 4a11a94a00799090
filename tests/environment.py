"""Pytest plugin loaded before Django (`-p tests.environment`): chooses what the test session runs
against, unless the environment already names it.

- Services (the default, `make test`): PostgreSQL, Redis as the Celery broker and cache, SeaweedFS as
  S3 storage; `scripts/services.sh` starts them. Integration and browser tests need this.
- Embedded (`make test-unit`, or `pytest -m "not integration and not e2e"`, or TEST_SERVICES=0):
  SQLite, Celery's in-memory broker, local files and an in-process cache; nothing else runs, so the
  unit tests pass with every service stopped (and in a network namespace with none: `unshare -n`)."""

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
S3_ENDPOINT = "http://127.0.0.1:8333"
SERVICES = (("PostgreSQL", 5432), ("Redis", 6379), ("SeaweedFS S3", 8333))


def _marker_expression(argv: list[str]) -> str:
    for position, arg in enumerate(argv):
        if arg == "-m" and position + 1 < len(argv):
            return argv[position + 1]
        if arg.startswith("-m") and len(arg) > 2:
            return arg[2:]
    return ""


def _uses_services(argv: list[str]) -> bool:
    explicit = os.environ.get("TEST_SERVICES")
    if explicit is not None:
        return explicit not in ("0", "false", "no")
    expression = " ".join(_marker_expression(argv).split())
    return not ("not integration" in expression and "not e2e" in expression)


USE_SERVICES = _uses_services(sys.argv)
VAR_DIR = Path(tempfile.mkdtemp(prefix="engine-test-var-"))

_common = {
    "MODEL": "classical",
    "MODEL_CHECKPOINT_DIR": str(Path(tempfile.gettempdir()) / "engine-no-checkpoints"),
    "MODEL_AUTO_FETCH": "0",
    "WORKER_HEARTBEAT_SECONDS": "1",
    "WORKER_STALE_SECONDS": "10",
    # The reconciler, quick enough that recovery tests wait seconds, not minutes.
    "JOB_RECONCILE_SECONDS": "2",
    "JOB_PUBLISH_GRACE_SECONDS": "2",
    "JOB_LOST_GRACE_SECONDS": "6",
    "VAR_DIR": str(VAR_DIR),
    "DEBUG": "1",
}
_services = {
    # One database, key prefix and bucket folder per test session: sessions may run side by side.
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/engine_{os.getpid()}",
    "CELERY_KEY_PREFIX": f"test-{os.getpid()}:",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "STORAGE_URL": f"s3://engine-test/run-{os.getpid()}",
    "S3_ENDPOINT_URL": S3_ENDPOINT,
    "AWS_ACCESS_KEY_ID": "engine",
    "AWS_SECRET_ACCESS_KEY": "engine-secret",
    "S3_REGION": "us-east-1",
}
_embedded = {
    "DATABASE_URL": f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    "CELERY_BROKER_URL": "memory://",
    "STORAGE_URL": f"file://{VAR_DIR / 'media'}",
}
for key, value in {**_common, **(_services if USE_SERVICES else _embedded)}.items():
    os.environ.setdefault(key, value)
TEST_OUTPUT = REPO / "test-output"
TEST_OUTPUT.mkdir(exist_ok=True)


def services_missing() -> list[str]:
    """The services of the services mode that do not answer on their port."""
    import socket

    missing = []
    for name, port in SERVICES:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                missing.append(f"{name} on 127.0.0.1:{port}")
    return missing


def require_services() -> None:
    """Fail with a clear message when the services are not configured or not running, and make
    sure the S3 test bucket exists. Called by the session fixture that needs them."""
    if not USE_SERVICES:
        raise RuntimeError(
            "these tests need PostgreSQL, Redis and SeaweedFS, but the session runs embedded "
            "(TEST_SERVICES=0 or a unit-only -m expression); run them with `make test`"
        )
    missing = services_missing()
    if missing:
        raise RuntimeError(f"not running: {', '.join(missing)}; run scripts/services.sh (make test does)")
    if os.environ["STORAGE_URL"].startswith("s3://"):
        _ensure_bucket(os.environ["STORAGE_URL"][5:].split("/")[0])


def _ensure_bucket(bucket: str) -> None:
    import time

    import boto3
    from botocore.exceptions import ClientError, EndpointConnectionError

    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        region_name=os.environ["S3_REGION"],
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    )
    deadline = time.monotonic() + 60
    while True:  # SeaweedFS opens its port before its S3 gateway is ready
        try:
            s3.head_bucket(Bucket=bucket)
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket"):
                try:
                    s3.create_bucket(Bucket=bucket)
                    return
                except ClientError:
                    pass
            if time.monotonic() > deadline:
                raise
        except EndpointConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/integration is `integration`, every one under tests/e2e is `e2e`."""
    import pytest

    for item in items:
        parts = Path(str(item.fspath)).parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
