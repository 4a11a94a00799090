"""The API edge: the errors services raise (backend.core.errors) answered as JSON, next to DRF's
own exceptions."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from backend.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unavailable


def api_exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return Response(exc.body(), status=exc.status)
    if isinstance(exc, NotFound):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, NotAllowed):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Unavailable):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return exception_handler(exc, context)
