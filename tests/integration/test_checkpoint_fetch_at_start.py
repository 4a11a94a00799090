"""A worker that starts fetches the deployment's missing default checkpoints in the background
(celery's worker_ready): it serves at once, and where no host answers (as offline) the status
record, the worker's log and the model's fallback reason say why and give the command to run later."""

import socket

from models.download import read_status
from tests.conftest import wait_for_worker, wait_until


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_worker_starts_at_once_and_says_why_the_download_failed(transactional_db, worker_factory, tmp_path):
    folder = tmp_path / "checkpoints"
    worker = worker_factory(
        MODEL="sam2:hiera_t",
        VIDEO_MODEL="sam2:hiera_t",
        MODEL_CHECKPOINT_DIR=folder,
        MODEL_AUTO_FETCH=1,
        MODEL_CHECKPOINT_BASE_URL=closed_port_url(),
    )
    wait_for_worker(worker)

    def failed():
        status = read_status(folder / "sam2.1_hiera_tiny.pt")
        return status if status is not None and status.state == "failed" else None

    status = wait_until(failed, timeout=60, what="the worker's background download to give up")
    assert "cannot reach 127.0.0.1" in status.reason
    wait_until(lambda: "python -m models fetch sam2:hiera_t" in worker.log(), timeout=30, what="the reason in the log")
    assert worker.alive()
