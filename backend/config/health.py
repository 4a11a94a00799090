"""GET /api/health/: database, broker, storage, workers and the model in use, as JSON."""

import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

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
    storage = CheckSerializer()
    worker = CheckSerializer()
    model = CheckSerializer()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "degraded"], help_text="503 with 'degraded' when a check fails")
    checks = ChecksSerializer()


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as exc:
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
        checks = {
            "database": _timed(check_database),
            "broker": _timed(check_broker),
            "storage": _timed(check_storage),
            "worker": _timed(check_workers),
            "model": _timed(check_model),
        }
        ok = all(check["ok"] for check in checks.values())
        return Response({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)
