"""Dependency outages outside DRF's exception handler: in plain Django views (admin, the browser
app, file downloads) and in middleware (sessions, authentication), a database, broker, cache or
storage failure answers 503 with a sentence (JSON under /api/) instead of a 500 page."""

import sys
import time

from django.http import HttpResponse, JsonResponse

from backend.config.exceptions import RETRY_AFTER_SECONDS, unavailable_body
from backend.core.errors import Unavailable
from backend.core.outages import outage_of

OUTAGE_ATTRIBUTE = "dependency_outage"


def note_outage(sender, request=None, **kwargs) -> None:
    """got_request_exception: Django is about to answer 500 for the exception being handled; note
    whether it is an outage, for OutageMiddleware to answer 503 instead (connected in ConfigConfig)."""
    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        setattr(request, OUTAGE_ATTRIBUTE, outage_of(exc))


def outage_response(request, outage: Unavailable) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(unavailable_body(outage), status=503)
    else:
        response = HttpResponse(str(outage), status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class OutageMiddleware:
    """First in MIDDLEWARE, so it sees the response of everything below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        outage = getattr(request, OUTAGE_ATTRIBUTE, None)
        if response.status_code == 500 and outage is not None:
            return outage_response(request, outage)
        return response

    def process_exception(self, request, exc):
        outage = outage_of(exc)
        return outage_response(request, outage) if outage is not None else None


class ServerTimingMiddleware:
    """With SERVER_TIMING on, every answer carries `Server-Timing: cpu;dur=MS` (the CPU time this
    request's thread spent, middleware and view included) plus what the view noted in
    `request.server_timing` (predict: `decode`, the model's own CPU time). bench/bench_load.py
    reads it to report CPU per request by endpoint."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.thread_time()
        request.server_timing = {}
        response = self.get_response(request)
        parts = {"cpu": (time.thread_time() - started) * 1000, **request.server_timing}
        response["Server-Timing"] = ", ".join(f"{name};dur={value:.2f}" for name, value in parts.items())
        return response
