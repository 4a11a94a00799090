"""JSON from outside (request bodies, archive members), read with limits: a size, a nesting depth and
a number of objects and arrays, all checked before the parser builds anything. Python's json
recurses once per level, so `[[[[...]]]]` ten thousand deep raised RecursionError; and a few MB of
`[{},{},...]` become hundreds of MB of dicts. Text holding NUL or lone surrogates is refused too:
PostgreSQL cannot store either in text or jsonb, which made such bodies answer 500."""

import json
import math
import re
from dataclasses import dataclass

# Strings first (an escaped quote stays inside its string), then the brackets outside them.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
# Escapes that decode to NUL or to a UTF-16 surrogate; raw ones cannot occur in decoded UTF-8.
_SUSPECT_ESCAPE = re.compile(r"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class JsonRefused(ValueError):
    """The text is not JSON we accept; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class JsonLimits:
    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 32
    max_containers: int = 200_000


def check_shape(text: str, limits: JsonLimits) -> None:
    """Refuse text nested deeper than limits.max_depth or holding more objects and arrays than
    limits.max_containers, without parsing it (a scan of the brackets outside strings)."""
    depth = containers = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            containers += 1
            if depth > limits.max_depth:
                raise JsonRefused(f"JSON nested more than {limits.max_depth} levels deep is not accepted")
            if containers > limits.max_containers:
                raise JsonRefused(f"JSON with more than {limits.max_containers} objects and arrays is not accepted")
        else:
            depth -= 1


def _refuse_constant(name: str):
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999 parses as infinity, which no column (text, jsonb, float) stores
        raise JsonRefused(f"the number {text[:40]} is too large")
    return value


def _bad_text(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    return False


def load_json(raw: bytes | str, limits: JsonLimits = JsonLimits()):
    """Parse JSON from outside under `limits`; JsonRefused says what is wrong."""
    if len(raw) > limits.max_bytes:
        raise JsonRefused(f"the JSON is {len(raw)} bytes, over the limit of {limits.max_bytes}")
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonRefused(f"the JSON is not UTF-8: {exc}") from exc
    else:
        text = raw
    check_shape(text, limits)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"not valid JSON: {exc}") from exc
    # The walk costs a pass over the value, so it runs only when an escape could have made one.
    if _SUSPECT_ESCAPE.search(text) and _bad_text(value):
        raise JsonRefused("text with NUL characters or unpaired surrogates (\\u0000, \\ud800) is not accepted")
    return value
