"""Pytest plugin loaded before Django (`-p tests.environment`): points the whole test session at
the real services — PostgreSQL, Redis as the Celery broker, SeaweedFS as S3 storage — unless the
environment already names others. `scripts/services.sh` starts them."""

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
S3_ENDPOINT = "http://127.0.0.1:8333"

_defaults = {
    # One database, key prefix and bucket folder per test session: sessions may run side by side.
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/engine_{os.getpid()}",
    "CELERY_KEY_PREFIX": f"test-{os.getpid()}:",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "STORAGE_URL": f"s3://engine-test/run-{os.getpid()}",
    "S3_ENDPOINT_URL": S3_ENDPOINT,
    "AWS_ACCESS_KEY_ID": "engine",
    "AWS_SECRET_ACCESS_KEY": "engine-secret",
    "S3_REGION": "us-east-1",
    "MODEL": "classical",
    "MODEL_CHECKPOINT_DIR": str(Path(tempfile.gettempdir()) / "engine-no-checkpoints"),
    "WORKER_HEARTBEAT_SECONDS": "1",
    "WORKER_STALE_SECONDS": "10",
    "VAR_DIR": str(Path(tempfile.mkdtemp(prefix="engine-test-var-"))),
    "DEBUG": "1",
}
for key, value in _defaults.items():
    os.environ.setdefault(key, value)
TEST_OUTPUT = REPO / "test-output"
TEST_OUTPUT.mkdir(exist_ok=True)


def pytest_configure(config):
    """Fail fast, with a clear message, when a service is down; create the test bucket."""
    import socket

    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("SeaweedFS S3", 8333)):
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                raise RuntimeError(
                    f"{name} is not listening on 127.0.0.1:{port}; run scripts/services.sh (make test does)"
                )
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
