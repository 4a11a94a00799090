"""`models.download.fetch` and `python -m models fetch` against a local checkpoint host: a good
download lands atomically; a corrupted one is refused and leaves nothing; an interrupted one leaves
no file in place and the next run resumes (Range) or restarts (a host without Range, a stale partial
file); a second process waits its turn; a host that does not answer fails within the timeout."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from models import checkpoints
from models.__main__ import main
from models.checkpoints import BASE_URL_ENV, CheckpointError
from models.download import DownloadBusy, HostUnreachable, download_lock, fetch, partial_path, probe, read_status
from tests.unit.models.checkpoint_server import CheckpointHost

VIT_B = "sam_vit_b_01ec64.pth"


@pytest.fixture()
def host():
    served = CheckpointHost().start()
    yield served
    served.stop()


@pytest.fixture()
def vit_b_is_the_tiny_checkpoint(monkeypatch, checkpoint_dir):
    """Pretend the official vit_b digest and size are the tiny checkpoint's, so a good download is possible."""
    payload = (checkpoint_dir / "sam_tiny_test.pth").read_bytes()
    entry = replace(
        checkpoints.OFFICIAL_CHECKPOINTS["sam:vit_b"],
        sha256=hashlib.sha256(payload).hexdigest(),
        size_bytes=len(payload),
    )
    monkeypatch.setitem(checkpoints.OFFICIAL_CHECKPOINTS, "sam:vit_b", entry)
    return payload


def visible(folder) -> list[str]:
    """What a user sees in the checkpoint folder (the hidden .downloads work folder left out)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_good_download_via_cli_and_env_base_url(host, tmp_path, monkeypatch, capsys, vit_b_is_the_tiny_checkpoint):
    host.files[VIT_B] = vit_b_is_the_tiny_checkpoint
    monkeypatch.setenv(BASE_URL_ENV, host.base_url)
    target_dir = tmp_path / "weights"
    assert main(["fetch", "sam:vit_b", "--dir", str(target_dir)]) == 0
    landed = target_dir / VIT_B
    assert landed.read_bytes() == vit_b_is_the_tiny_checkpoint
    assert visible(target_dir) == [VIT_B] and not partial_path(landed).exists()
    assert str(landed) in capsys.readouterr().out
    assert read_status(landed).state == "done"
    # Present with the right digest: kept, not downloaded again.
    del host.files[VIT_B]
    assert fetch(VIT_B, target_dir, progress=False) == landed


def test_corrupted_download_is_refused_and_removed(host, tmp_path, monkeypatch, capsys, vit_b_is_the_tiny_checkpoint):
    corrupted = bytearray(vit_b_is_the_tiny_checkpoint)
    corrupted[len(corrupted) // 2] ^= 0xFF
    host.files[VIT_B] = bytes(corrupted)
    target_dir = tmp_path / "weights"
    with pytest.raises(CheckpointError, match="sha256"):
        fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert visible(target_dir) == [] and not partial_path(target_dir / VIT_B).exists()
    status = read_status(target_dir / VIT_B)
    assert status.state == "failed" and "refused" in status.reason
    monkeypatch.setenv(BASE_URL_ENV, host.base_url)
    assert main(["fetch", "sam:vit_b", "--dir", str(target_dir), "--quiet"]) == 1
    assert "refused" in capsys.readouterr().err
    assert visible(target_dir) == []


def test_missing_file_on_server_fails_cleanly(host, tmp_path):
    target_dir = tmp_path / "weights"
    with pytest.raises(OSError, match="404"):
        fetch("sam2:hiera_t", target_dir, base_url=host.base_url, progress=False)
    assert visible(target_dir) == []


def test_local_test_checkpoints_cannot_be_fetched(tmp_path):
    with pytest.raises(ValueError, match="cannot be fetched"):
        fetch("sam:tiny", tmp_path)


def test_interrupted_download_leaves_no_file_in_place_and_resumes(host, tmp_path, vit_b_is_the_tiny_checkpoint):
    payload = vit_b_is_the_tiny_checkpoint
    host.files[VIT_B] = payload
    half = len(payload) // 2
    host.drop_after = half
    target_dir = tmp_path / "weights"
    with pytest.raises(OSError):
        fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert visible(target_dir) == []
    assert partial_path(target_dir / VIT_B).read_bytes() == payload[:half]
    assert read_status(target_dir / VIT_B).state == "failed"
    fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert (target_dir / VIT_B).read_bytes() == payload
    assert host.requests[-1] == (f"/{VIT_B}", f"bytes={half}-")  # only the rest travelled
    assert not partial_path(target_dir / VIT_B).exists()


def test_host_without_range_support_restarts_from_zero(host, tmp_path, vit_b_is_the_tiny_checkpoint):
    payload = vit_b_is_the_tiny_checkpoint
    host.files[VIT_B] = payload
    host.honour_range = False
    host.drop_after = len(payload) // 3
    target_dir = tmp_path / "weights"
    with pytest.raises(OSError):
        fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert (target_dir / VIT_B).read_bytes() == payload


def test_stale_partial_file_of_other_bytes_restarts_once(host, tmp_path, vit_b_is_the_tiny_checkpoint):
    payload = vit_b_is_the_tiny_checkpoint
    host.files[VIT_B] = payload
    target_dir = tmp_path / "weights"
    part = partial_path(target_dir / VIT_B)
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\x00" * 1000)  # left by an earlier download of another file version
    fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert (target_dir / VIT_B).read_bytes() == payload
    assert [rng for _, rng in host.requests] == ["bytes=1000-", None]


def test_a_second_process_does_not_write_the_same_partial_file(host, tmp_path, vit_b_is_the_tiny_checkpoint):
    host.files[VIT_B] = vit_b_is_the_tiny_checkpoint
    target_dir = tmp_path / "weights"
    partial_path(target_dir / VIT_B).parent.mkdir(parents=True)
    with download_lock(target_dir / VIT_B), pytest.raises(DownloadBusy):
        fetch("sam:vit_b", target_dir, base_url=host.base_url, progress=False)
    assert host.requests == [] and visible(target_dir) == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def silent_host():
    """A host whose connection queue is full: new connections get no answer (SYNs are dropped)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    waiting = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(server.getsockname())
        waiting.append(client)
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    for client in waiting:
        client.close()
    server.close()


def test_unreachable_hosts_fail_within_the_connect_timeout(tmp_path, silent_host):
    for base_url in (f"http://127.0.0.1:{closed_port()}/", silent_host):
        started = time.monotonic()
        with pytest.raises(HostUnreachable):
            fetch("sam2:hiera_t", tmp_path, base_url=base_url, progress=False, connect_timeout=1.0)
        assert time.monotonic() - started < 4.0, f"{base_url} held the caller past the 1 s connect timeout"
    assert visible(tmp_path) == []
    assert "within 1 s" in read_status(tmp_path / "sam2.1_hiera_tiny.pt").reason


def test_probe_is_bounded_even_when_name_resolution_hangs(monkeypatch):
    def slow_lookup(*args, **kwargs):
        time.sleep(5)
        raise OSError("never")

    monkeypatch.setattr(socket, "create_connection", slow_lookup)
    started = time.monotonic()
    with pytest.raises(HostUnreachable, match=r"within 0\.5 s"):
        probe("https://dl.fbaipublicfiles.com/x", timeout=0.5)
    assert time.monotonic() - started < 3.0


def test_a_stopped_fetch_keeps_its_partial_file_and_says_so(host, tmp_path):
    payload = bytes(range(256)) * 4096  # 1 MiB of something: its digest is not vit_b's, it never completes
    host.files[VIT_B] = payload
    host.stall_after = 300_000
    target_dir = tmp_path / "weights"
    environ = {"PATH": "/usr/bin:/bin", BASE_URL_ENV: host.base_url}
    repo = Path(checkpoints.__file__).parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "models", "fetch", "sam:vit_b", "--dir", str(target_dir), "--quiet"],
        cwd=repo,
        env=environ,
        stderr=subprocess.PIPE,
        text=True,
    )
    part = partial_path(target_dir / VIT_B)
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size == 300_000):
        assert process.poll() is None and time.monotonic() < deadline, "the download never got under way"
        time.sleep(0.05)
    process.terminate()  # what a worker shutting down does to its download
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "resumes" in err
    assert visible(target_dir) == [] and part.stat().st_size == 300_000
    assert read_status(target_dir / VIT_B).reason == "interrupted"


def test_list_names_every_official_checkpoint(tmp_path, capsys, checkpoint_dir):
    (tmp_path / "sam2.1_hiera_small.pt").write_bytes(b"x")
    assert main(["list", "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(checkpoints.OFFICIAL_CHECKPOINTS)
    by_name = {line.split()[0]: line for line in lines}
    assert "present" in by_name["sam2:hiera_s"] and "absent" in by_name["sam:vit_h"]
