"""The API edge: the errors services raise (backend.core.errors) answered as JSON, next to DRF's
own exceptions; a dependency outage (database, broker, cache, storage) is a 503 with a sentence."""

import logging

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from backend.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unavailable
from backend.core.outages import outage_of

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def unavailable_body(outage: Unavailable) -> dict:
    body = {"detail": str(outage)}
    dependency = getattr(outage, "dependency", None)
    if dependency:
        body["unavailable"] = dependency
    return body


def api_exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return Response(exc.body(), status=exc.status)
    if isinstance(exc, NotFound):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, NotAllowed):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    outage = outage_of(exc)
    if outage is not None:
        if outage is not exc:
            log.warning("dependency outage: %s: %s", type(exc).__name__, exc)
        return Response(
            unavailable_body(outage),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return exception_handler(exc, context)
