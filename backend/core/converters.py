"""The `<id:...>` URL converter: ASCII digits of a row id that fits the database's bigint, so a
path such as /api/masks/99999999999999999999/ is a 404 before any query runs. Importing this
module registers it (once; urls modules import it before their patterns)."""

from django.urls import register_converter
from django.urls.converters import get_converters

from backend.core.params import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 <= number <= MAX_ID:
            raise ValueError("not a row id")  # Django answers 404 for the path
        return number

    def to_url(self, value) -> str:
        return str(int(value))


if "id" not in get_converters():
    register_converter(IdConverter, "id")
