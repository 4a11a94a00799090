"""`python -m models fetch` against a local http.server: a good download lands atomically, a corrupted
one is refused and leaves nothing behind; `list` shows every official checkpoint."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from dataclasses import replace

import pytest

from models import checkpoints
from models.__main__ import main
from models.checkpoints import BASE_URL_ENV, CheckpointError, fetch


@pytest.fixture()
def server(tmp_path):
    """Serve tmp_path/served on 127.0.0.1 and yield (directory, base URL)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture()
def vit_b_is_the_tiny_checkpoint(monkeypatch, checkpoint_dir):
    """Pretend the official vit_b digest is the tiny checkpoint's, so a good download is possible."""
    payload = (checkpoint_dir / "sam_tiny_test.pth").read_bytes()
    entry = replace(checkpoints.OFFICIAL_CHECKPOINTS["sam:vit_b"], sha256=hashlib.sha256(payload).hexdigest())
    monkeypatch.setitem(checkpoints.OFFICIAL_CHECKPOINTS, "sam:vit_b", entry)
    return payload


def test_good_download_via_cli_and_env_base_url(server, tmp_path, monkeypatch, capsys, vit_b_is_the_tiny_checkpoint):
    served, base_url = server
    (served / "sam_vit_b_01ec64.pth").write_bytes(vit_b_is_the_tiny_checkpoint)
    monkeypatch.setenv(BASE_URL_ENV, base_url)
    target_dir = tmp_path / "weights"
    assert main(["fetch", "sam:vit_b", "--dir", str(target_dir)]) == 0
    landed = target_dir / "sam_vit_b_01ec64.pth"
    assert landed.read_bytes() == vit_b_is_the_tiny_checkpoint
    assert sorted(p.name for p in target_dir.iterdir()) == ["sam_vit_b_01ec64.pth"]
    assert str(landed) in capsys.readouterr().out
    # Present with the right digest: kept, not downloaded again.
    (served / "sam_vit_b_01ec64.pth").unlink()
    assert fetch("sam_vit_b_01ec64.pth", target_dir, progress=False) == landed


def test_corrupted_download_is_refused_and_removed(server, tmp_path, monkeypatch, capsys, vit_b_is_the_tiny_checkpoint):
    served, base_url = server
    corrupted = bytearray(vit_b_is_the_tiny_checkpoint)
    corrupted[len(corrupted) // 2] ^= 0xFF
    (served / "sam_vit_b_01ec64.pth").write_bytes(bytes(corrupted))
    target_dir = tmp_path / "weights"
    with pytest.raises(CheckpointError, match="sha256"):
        fetch("sam:vit_b", target_dir, base_url=base_url, progress=False)
    assert list(target_dir.iterdir()) == []
    monkeypatch.setenv(BASE_URL_ENV, base_url)
    assert main(["fetch", "sam:vit_b", "--dir", str(target_dir), "--quiet"]) == 1
    assert "refused" in capsys.readouterr().err
    assert list(target_dir.iterdir()) == []


def test_missing_file_on_server_fails_cleanly(server, tmp_path):
    _, base_url = server
    target_dir = tmp_path / "weights"
    with pytest.raises(OSError):
        fetch("sam2:hiera_t", target_dir, base_url=base_url, progress=False)
    assert list(target_dir.iterdir()) == []


def test_local_test_checkpoints_cannot_be_fetched(tmp_path):
    with pytest.raises(ValueError, match="cannot be fetched"):
        fetch("sam:tiny", tmp_path)


def test_list_names_every_official_checkpoint(tmp_path, capsys, checkpoint_dir):
    (tmp_path / "sam2.1_hiera_small.pt").write_bytes(b"x")
    assert main(["list", "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(checkpoints.OFFICIAL_CHECKPOINTS)
    by_name = {line.split()[0]: line for line in lines}
    assert "present" in by_name["sam2:hiera_s"] and "absent" in by_name["sam:vit_h"]
