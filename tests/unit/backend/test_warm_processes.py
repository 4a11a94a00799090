"""Warm web processes: gunicorn's config loads the model a worker serves (and every retrained version
serving a project) before the worker accepts a request, with the decoder fixed by MODEL_DECODER;
keep-alive outlives a client's idle connection; Server-Timing reports a request's CPU when asked."""

import runpy
from pathlib import Path

import pytest
from django.test import override_settings

from backend.inference import runtime
from backend.inference.runtime import reset_model
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam

CONFIG = Path(__file__).resolve().parents[3] / "backend" / "config" / "gunicorn.conf.py"


class FakeWorker:
    class log:  # gunicorn's worker.log.info
        lines: list[str] = []

        @classmethod
        def info(cls, message):
            cls.lines.append(message)


@pytest.fixture
def tiny_serving(settings, tmp_path):
    save_tiny_sam(tmp_path / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_CHECKPOINT = "sam:tiny", str(tmp_path), ""
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_model()
    yield
    reset_model()


def test_a_gunicorn_worker_loads_the_prompt_decoder_before_serving(db, tiny_serving, settings):
    settings.MODEL_DECODER = "torch"
    config = runpy.run_path(str(CONFIG))
    assert config["keepalive"] >= 60  # clients keep idle connections for up to a minute
    assert config["worker_class"] == "uvicorn_worker.UvicornWorker"  # ASGI: open event streams hold no thread
    assert "decoder" not in runtime._loaded
    config["post_worker_init"](FakeWorker())
    loaded = runtime._loaded["decoder"]
    assert loaded.segmenter.name == "sam" and loaded.fallback_reason is None
    assert loaded.segmenter.decoder == "torch"  # fixed by configuration, not timed under load
    assert not loaded.segmenter.has_encoder  # a web process never loads the image encoder
    assert any("warm: sam" in line for line in FakeWorker.log.lines)


def test_warming_never_stops_the_worker(db, settings, monkeypatch):
    def broken(parts="full"):
        raise RuntimeError("no model today")

    monkeypatch.setattr(runtime, "current_model", broken)
    config = runpy.run_path(str(CONFIG))
    config["post_worker_init"](FakeWorker())  # logged, not raised: the process serves


def test_server_timing_reports_a_requests_cpu_only_when_asked(db, client_for, manager):
    client = client_for(manager)
    assert not client.get("/api/auth/me/").has_header("Server-Timing")
    middleware = ["backend.config.middleware.ServerTimingMiddleware", *settings_middleware()]
    with override_settings(MIDDLEWARE=middleware):
        header = client_for(manager).get("/api/auth/me/").headers["Server-Timing"]  # a new client's handler
    name, _, value = header.partition(";dur=")
    assert name == "cpu" and float(value) >= 0


def settings_middleware() -> list[str]:
    from django.conf import settings

    return list(settings.MIDDLEWARE)
