"""Strict parsing of query-string values: ASCII digits only for ids and counts (Python's int()
accepts other Unicode digit systems and `isdigit()` accepts superscripts), bounded numbers, known
choices and real dates. Every refusal names the parameter."""

import re
from datetime import datetime

from django.utils.dateparse import parse_datetime

from backend.core.errors import InvalidInput

ASCII_INT = re.compile(r"-?[0-9]{1,18}")
MAX_ID = 2**63 - 1


def parse_int(raw: str, name: str, *, minimum: int | None = None, maximum: int | None = None, what: str = "") -> int:
    what = what or "a whole number"
    if not ASCII_INT.fullmatch(raw):
        raise InvalidInput({name: f"must be {what} (ASCII digits), got {raw[:40]!r}"})
    value = int(raw)
    if minimum is not None and value < minimum:
        raise InvalidInput({name: f"must be {what} of at least {minimum}, got {value}"})
    if value > (maximum if maximum is not None else MAX_ID):
        raise InvalidInput(
            {name: f"must be {what} of at most {maximum if maximum is not None else MAX_ID}, got {value}"}
        )
    return value


def query_int(
    request, name: str, *, minimum: int | None = None, maximum: int | None = None, what: str = ""
) -> int | None:
    """The query parameter as an int, None when absent or empty; InvalidInput when malformed."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    return parse_int(raw, name, minimum=minimum, maximum=maximum, what=what)


def query_id(request, name: str) -> int | None:
    return query_int(request, name, minimum=1, what="an id")


def query_choice(request, name: str, choices) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise InvalidInput({name: f"must be one of {', '.join(sorted(choices))}, got {raw[:40]!r}"})
    return raw


def query_datetime(request, name: str) -> datetime | None:
    """An ISO 8601 date-time; impossible dates (Feb 30) and malformed values are refused."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a '+' in a URL arrives as a space
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput({name: f"must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z, got {raw[:40]!r}"})
    return value
