"""`@idempotent` on an APIView's post(): the Idempotency-Key header makes a retry safe.

- A retry with the same key and the same body gets the first answer (status and body) back, with
  `Idempotent-Replayed: true`; nothing runs twice, and concurrent copies create one object.
- The same key with another body (or on another endpoint) is refused with 422.
- Only successful (2xx) answers are kept; a refused or failed request leaves the key free, so a
  retry runs again. Keys are per user, kept IDEMPOTENCY_KEY_HOURS (24 by default).
Without the header a request runs as before."""

import functools
import hashlib
import json
import re

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from backend.idempotency.services import claim, record, release

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII without spaces, as a header value travels


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "this Idempotency-Key was used for another request; send a new key for a new request"
    default_code = "idempotency_key_reused"


def _canonical(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    if hasattr(value, "getlist"):  # QueryDict: a form or multipart body
        return {name: [_canonical(v) for v in value.getlist(name)] for name in sorted(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def fingerprint(request) -> str:
    """sha256 of what makes two requests the same: method, path with query, and the parsed body."""
    text = json.dumps(
        [request.method, request.get_full_path(), _canonical(request.data)],
        sort_keys=True,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _stored(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder)) if data is not None else None


PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="a key of your choice (1-255 printable ASCII characters): a retry with the same key and body "
    "gets the first answer back; the same key with another body is refused (422)",
)


def idempotent(handler):
    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if not KEY.fullmatch(key):
            raise ValidationError({HEADER: ["1 to 255 printable ASCII characters without spaces"]})
        this_request = fingerprint(request)
        with transaction.atomic():
            row, fresh = claim(user=request.user, key=key, fingerprint=this_request, path=request.path)
            if not fresh:
                if row.fingerprint != this_request:
                    raise KeyReused()
                return Response(row.body, status=row.status_code, headers={"Idempotent-Replayed": "true"})
            response = handler(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record(row, status_code=response.status_code, body=_stored(response.data))
            else:
                release(row)
        return response

    return extend_schema(parameters=[PARAMETER])(wrapper)
