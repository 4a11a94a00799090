"""GET /api/health/: database, broker, cache, storage, workers and the model in use, as JSON; when a
part is down the answer is 503 and names it (`down`) with a sentence (`detail`)."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.outages import outage_of
from backend.inference.runtime import model_status
from backend.inference.video import current_tracker
from backend.jobs.celery_app import app as celery_app
from backend.jobs.selectors import live_workers


class CheckSerializer(serializers.Serializer):
    """One dependency: ok, how long the check took, and the error when it failed (other keys
    describe the dependency: engine, transport, kind, workers, model)."""

    ok = serializers.BooleanField()
    ms = serializers.FloatField()
    error = serializers.CharField(required=False)


class ChecksSerializer(serializers.Serializer):
    database = CheckSerializer()
    broker = CheckSerializer()
    cache = CheckSerializer()
    storage = CheckSerializer()
    worker = CheckSerializer()
    model = CheckSerializer()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "degraded"], help_text="503 with 'degraded' when a check fails")
    down = serializers.ListField(child=serializers.CharField(), help_text="the checks that failed")
    detail = serializers.CharField(help_text="one sentence: what works, what is down")
    checks = ChecksSerializer()


DOWN_SENTENCES = {
    "database": "the database cannot be reached (nothing can be read or saved)",
    "broker": "the message broker cannot be reached (new jobs wait and start when it is back)",
    "cache": "the cache cannot be reached (sign-in is refused and click refinements start afresh)",
    "storage": "file storage cannot be reached (uploads, images and exports fail)",
    "worker": "no worker is running (jobs wait until one starts)",
    "model": "the model cannot be loaded (predictions fail)",
}


def _timed(check, database_down: bool = False) -> dict:
    """Run one check. With the database down, a check that failed only because it reads the
    database says so instead of blaming its own part (workers' heartbeats, model versions)."""
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as exc:
        outage = outage_of(exc)
        if database_down and getattr(outage, "dependency", None) == "database":
            result = {"ok": False, "error": "not known while the database is down", "database_down": True}
        else:
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connection.vendor}


def check_broker() -> dict:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        transport = conn.transport_cls if isinstance(conn.transport_cls, str) else conn.transport.driver_type
    return {"transport": str(transport)}


def check_cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache returned another value")
    finally:
        cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_storage() -> dict:
    key = f"health/{uuid.uuid4().hex}.txt"
    default_storage.save(key, ContentFile(b"ok", name="probe.txt"))
    try:
        with default_storage.open(key, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned different bytes")
    finally:
        default_storage.delete(key)
    return {"kind": settings.STORAGE.kind}


def check_workers() -> dict:
    workers = list(live_workers(settings.WORKER_STALE_SECONDS).values("hostname", "queues", "last_seen"))
    if not workers:
        raise RuntimeError(f"no Celery worker has reported in the last {settings.WORKER_STALE_SECONDS}s")
    queues = sorted({q for w in workers for q in w["queues"]})
    return {"count": len(workers), "queues": queues, "workers": [w["hostname"] for w in workers]}


def check_model() -> dict:
    tracker = current_tracker()
    return {
        **model_status(),
        "video": {
            "requested": settings.VIDEO_MODEL,
            "version": tracker.version,
            "fallback": tracker.fallback_reason is not None,
            "reason": tracker.fallback_reason,
            "warning": tracker.warning,
        },
    }


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request):
        checks = {"database": _timed(check_database)}
        database_down = not checks["database"]["ok"]
        for name, check in (
            ("broker", check_broker),
            ("cache", check_cache),
            ("storage", check_storage),
            ("worker", check_workers),
            ("model", check_model),
        ):
            checks[name] = _timed(check, database_down)
        down = [name for name, check in checks.items() if not check["ok"] and not check.pop("database_down", False)]
        if down:
            detail = "Down: " + "; ".join(DOWN_SENTENCES[name] for name in down) + "."
        else:
            detail = "Every part of the engine answers."
        body = {"status": "degraded" if down else "ok", "down": down, "detail": detail, "checks": checks}
        return Response(body, status=503 if down else 200)
