"""Serializer fields that read request bodies as strictly as backend.core.params reads query strings.

DRF's own fields are lenient where a data engine must not be: IntegerField takes "١٢" (other Unicode
digit systems), " 12 ", "1.0" and 1.0; FloatField takes true and "１.５"; neither bounds a number to
what the database can hold, so 10**30 reached a query and answered 500. These take JSON numbers (never
booleans) and, for form bodies, ASCII decimal strings only, and every integer is bounded to a signed
64-bit column unless the field says less."""

import math
import re

from rest_framework import serializers

from backend.core.params import MAX_ID as MAX_INT64

ASCII_INT = re.compile(r"-?[0-9]{1,19}")
ASCII_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?")
# A float bigger than this is not a coordinate, a score or a duration of anything we store.
MAX_FLOAT = 1e15
# A frame index or frame count no video reaches (MAX_VIDEO_FRAMES is 100,000 by default).
MAX_FRAME = 10_000_000
MAX_COORDINATE = 1e9
# Seconds into a video, or spent on an item: a week.
MAX_SECONDS = 7 * 24 * 3600.0


class IntegerField(serializers.IntegerField):
    """A whole number: a JSON integer, or ASCII digits in a form body; never a float, a boolean or
    another digit system; within [min_value, max_value], which default to the int64 range."""

    default_error_messages = {
        "invalid": "A whole number is required (ASCII digits, no decimal point).",
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("min_value", -MAX_INT64)
            kwargs.setdefault("max_value", MAX_INT64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, str) and ASCII_INT.fullmatch(data):
            return int(data)
        self.fail("invalid")


class IdField(IntegerField):
    """The id of a stored row: 1 .. 2**63 - 1."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class FloatField(serializers.FloatField):
    """A finite number: a JSON number (not a boolean), or an ASCII decimal in a form body; within
    [min_value, max_value], which default to +-1e15."""

    default_error_messages = {
        "invalid": "A number is required (ASCII digits).",
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("min_value", -MAX_FLOAT)
            kwargs.setdefault("max_value", MAX_FLOAT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            if abs(data) > MAX_FLOAT:  # float() of a huge int overflows or loses the value
                raise serializers.ValidationError(f"A number between {-MAX_FLOAT:g} and {MAX_FLOAT:g} is required.")
            return float(data)
        if isinstance(data, float):
            value = data
        elif isinstance(data, str) and ASCII_DECIMAL.fullmatch(data):
            value = float(data)
        else:
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class CoordinateField(FloatField):
    """A pixel coordinate: +-1e9 (no image is that large; the models clip points to the image)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -MAX_COORDINATE)
        kwargs.setdefault("max_value", MAX_COORDINATE)
        super().__init__(**kwargs)


class CharField(serializers.CharField):
    """Text, and only text: a number or an object where a string belongs is refused (DRF turns 5
    into "5"); DRF already refuses NUL characters, and every input CharField gives a max_length."""

    default_error_messages = {"invalid": "A string is required."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ChoiceField(serializers.ChoiceField):
    """One of the choices, given as a string (DRF looks up str(data), so [\"a\"] or 1 could match)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=str(data)[:40])
        return super().to_internal_value(data)
