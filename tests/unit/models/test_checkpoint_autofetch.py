"""What start-up does (models.autofetch) against a local checkpoint host serving a tiny checkpoint
under an official file name, with the sha256 table entry supplied by the test: the first run
downloads it and the registry then serves it; a wrong sha256 is refused and the fallback serves with
the reason; an unreachable host leaves the fallback serving within the connect timeout, saying why
and how to fetch later; an interrupted download leaves no file in place and the next run finishes."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time

import pytest

from models import checkpoints
from models.autofetch import (
    AUTO_FETCH_ENV,
    auto_fetch_enabled,
    fetch_missing,
    missing_checkpoints,
    start_background_fetch,
)
from models.checkpoints import BASE_URL_ENV, CheckpointInfo
from models.classical import GrabCutSegmenter
from models.classical_video import ClassicalVideoTracker
from models.download import FetchStatus, partial_path, read_status, write_status
from models.registry import resolve, resolve_tracker
from models.sam2 import Sam2Segmenter
from models.sam2_video import Sam2VideoTracker
from tests.unit.models.checkpoint_server import CheckpointHost

OFFICIAL_NAME = "sam2.1_hiera_tiny.pt"  # the file name of sam2:hiera_t, served here with tiny weights


@pytest.fixture()
def host():
    served = CheckpointHost().start()
    yield served
    served.stop()


@pytest.fixture()
def tiny_payload(checkpoint_dir):
    return (checkpoint_dir / "sam2.1_hiera_tiny_test.pt").read_bytes()


def official_entry(monkeypatch, base_url: str, payload: bytes, sha256: str | None = None) -> None:
    """Make "sam2:tiny" an official checkpoint downloaded from `base_url` under an official file name."""
    entry = CheckpointInfo(
        "sam2:tiny", OFFICIAL_NAME, base_url, sha256 or hashlib.sha256(payload).hexdigest(), len(payload), "model_key"
    )
    monkeypatch.setitem(checkpoints.OFFICIAL_CHECKPOINTS, "sam2:tiny", entry)


def test_first_run_downloads_the_checkpoint_and_the_registry_serves_it(host, tmp_path, monkeypatch, tiny_payload):
    host.files[OFFICIAL_NAME] = tiny_payload
    official_entry(monkeypatch, host.base_url, tiny_payload)
    before = resolve("sam2:tiny", tmp_path)
    assert isinstance(before.segmenter, GrabCutSegmenter) and before.watch is not None
    assert "python -m models fetch sam2:tiny" in before.fallback_reason
    assert not before.is_stale()

    outcomes = fetch_missing(["sam2:tiny", "classical", "sam2:tiny"], tmp_path, progress=False)

    assert [(o.spec, o.state) for o in outcomes] == [("sam2:tiny", "fetched")]
    assert (tmp_path / OFFICIAL_NAME).read_bytes() == tiny_payload
    assert before.is_stale()  # the web process resolves again and serves the model without a restart
    after = resolve("sam2:tiny", tmp_path)
    assert isinstance(after.segmenter, Sam2Segmenter)
    assert after.fallback_reason is None and after.warning is None  # official digest: no warning
    tracker = resolve_tracker("sam2:tiny", tmp_path, image_size=256)
    assert isinstance(tracker.tracker, Sam2VideoTracker) and tracker.fallback_reason is None
    assert missing_checkpoints(["sam2:tiny"], tmp_path) == []
    assert fetch_missing(["sam2:tiny"], tmp_path, progress=False) == []  # present: nothing to do


def test_wrong_sha256_is_refused_and_the_fallback_says_why(host, tmp_path, monkeypatch, tiny_payload):
    host.files[OFFICIAL_NAME] = tiny_payload
    official_entry(monkeypatch, host.base_url, tiny_payload, sha256="ab" * 32)
    outcomes = fetch_missing(["sam2:tiny"], tmp_path, progress=False)
    assert [o.state for o in outcomes] == ["failed"]
    assert "refused" in outcomes[0].reason and "python -m models fetch sam2:tiny" in outcomes[0].reason
    assert not (tmp_path / OFFICIAL_NAME).exists() and not partial_path(tmp_path / OFFICIAL_NAME).exists()
    loaded = resolve("sam2:tiny", tmp_path)
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert "the automatic download failed" in loaded.fallback_reason and "refused" in loaded.fallback_reason
    assert "python -m models fetch sam2:tiny" in loaded.fallback_reason
    video = resolve_tracker("sam2:tiny", tmp_path)
    assert isinstance(video.tracker, ClassicalVideoTracker) and "refused" in video.fallback_reason


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_unreachable_host_leaves_the_fallback_within_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv(BASE_URL_ENV, closed_port_url())
    started = time.monotonic()
    outcomes = fetch_missing(["sam:vit_b", "sam2:hiera_t", "classical"], tmp_path, progress=False, connect_timeout=1)
    assert time.monotonic() - started < 4.0  # one probe: the host that did not answer is not asked again
    assert [(o.spec, o.state) for o in outcomes] == [("sam:vit_b", "failed"), ("sam2:hiera_t", "failed")]
    for outcome in outcomes:
        assert "cannot reach 127.0.0.1" in outcome.reason
        assert f"python -m models fetch {outcome.spec}" in outcome.reason and BASE_URL_ENV in outcome.reason
    loaded = resolve("sam2:hiera_t", tmp_path)
    assert isinstance(loaded.segmenter, GrabCutSegmenter)
    assert "the automatic download failed: cannot reach" in loaded.fallback_reason


def test_interrupted_download_leaves_no_file_in_place_and_the_next_run_finishes(
    host, tmp_path, monkeypatch, tiny_payload
):
    host.files[OFFICIAL_NAME] = tiny_payload
    host.drop_after = len(tiny_payload) // 2
    official_entry(monkeypatch, host.base_url, tiny_payload)
    first = fetch_missing(["sam2:tiny"], tmp_path, progress=False)
    assert [o.state for o in first] == ["failed"] and "resumes" in first[0].reason
    assert not (tmp_path / OFFICIAL_NAME).exists()
    assert isinstance(resolve("sam2:tiny", tmp_path).segmenter, GrabCutSegmenter)
    second = fetch_missing(["sam2:tiny"], tmp_path, progress=False)
    assert [o.state for o in second] == ["fetched"]
    assert (tmp_path / OFFICIAL_NAME).read_bytes() == tiny_payload
    assert host.requests[-1][1] == f"bytes={len(tiny_payload) // 2}-"


def test_background_fetch_returns_at_once_and_reports_why_it_failed(tmp_path):
    environ = {"PATH": "/usr/bin:/bin", BASE_URL_ENV: closed_port_url()}
    started = time.monotonic()
    process = start_background_fetch(["sam2:hiera_t", "classical"], tmp_path, environ=environ, quiet=True)
    assert process is not None and time.monotonic() - started < 1.0  # start-up does not wait for it
    before = resolve("sam2:hiera_t", tmp_path)
    try:
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()
    status = read_status(tmp_path / OFFICIAL_NAME)
    assert status.state == "failed" and "cannot reach" in status.reason
    assert before.is_stale()  # the record changed: resolving again shows the new reason
    assert "cannot reach" in resolve("sam2:hiera_t", tmp_path).fallback_reason


def test_switched_off_or_nothing_to_fetch_starts_no_process(tmp_path, checkpoint_dir):
    assert start_background_fetch(["sam2:hiera_t"], tmp_path, environ={AUTO_FETCH_ENV: "0"}) is None
    assert start_background_fetch(["classical", "sam:tiny"], tmp_path, environ={}) is None
    assert not auto_fetch_enabled({AUTO_FETCH_ENV: "off"}) and auto_fetch_enabled({})


def test_auto_fetch_command_exits_cleanly_when_offline(tmp_path):
    environ = {"PATH": "/usr/bin:/bin", BASE_URL_ENV: closed_port_url()}
    done = subprocess.run(
        [sys.executable, "-m", "models", "auto-fetch", "sam:vit_b", "--dir", str(tmp_path), "--quiet"],
        env=environ,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=checkpoints.Path(checkpoints.__file__).parents[1],
    )
    assert done.returncode == 0
    assert "python -m models fetch sam:vit_b" in done.stderr


def test_fallback_reason_follows_a_running_or_stopped_download(tmp_path):
    target = tmp_path / OFFICIAL_NAME
    write_status(target, FetchStatus("downloading", None, 10, 100, time.time()))
    running = resolve("sam2:hiera_t", tmp_path)
    assert "being downloaded and serves as soon as it lands" in running.fallback_reason
    assert not running.is_stale()
    write_status(target, FetchStatus("downloading", None, 10, 100, time.time() - 3600))
    assert "stopped part way and resumes at the next start" in resolve("sam2:hiera_t", tmp_path).fallback_reason
    write_status(target, FetchStatus("failed", "interrupted", 10, 100, time.time()))
    assert running.is_stale()  # the download's state moved on: the reason is worth refreshing
