"""The API's JSON parser: request bodies read under a size limit (413) and backend.core.json_input's
depth, count and text checks (400), instead of DRF's unbounded json.load."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from backend.core.json_input import JsonLimits, JsonRefused, load_json


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "the request body is over the size limit"
    default_code = "payload_too_large"


def content_length(request) -> int:
    """CONTENT_LENGTH as the client sent it; 0 when absent or not a number (as Django reads it)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_JSON_BODY_BYTES
        request = (parser_context or {}).get("request")
        if request is not None and content_length(request) > limit:
            raise PayloadTooLarge(f"the JSON body is {content_length(request)} bytes, over the limit of {limit}")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"the JSON body is over the limit of {limit} bytes")
        try:
            return load_json(raw, JsonLimits(max_bytes=limit))
        except JsonRefused as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
