"""Keyset reads that stay fast however many rows there are: no OFFSET and no COUNT(*).

- `keyset_rows`: every row of a query in primary-key order, a batch per query (`pk > last ORDER BY
  pk LIMIT n`). Memory stays flat without a server-side cursor, so it works through pgbouncer in
  transaction mode (DISABLE_SERVER_SIDE_CURSORS) as well as directly (exports use it).
- `KeysetPagination`: a list endpoint's pages by `?cursor=` (opt-in: without it the endpoint keeps
  its page numbers and count). `?cursor=` (empty) is the first page; each answer's `next` carries
  the cursor of the following page (the ordering key of the last row, e.g. `17.90412`), or null.
  A page is one index range scan whatever its depth: it costs the same at row 50 and at row 1M.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from backend.core.errors import InvalidInput
from backend.core.pagination import StrictPageNumberPagination
from backend.core.params import parse_int

CURSOR = "cursor"


def keyset_rows(queryset: QuerySet, key: Callable[[Any], Any], size: int = 2000) -> Iterator[Any]:
    """Rows of `queryset` (models, values or values_list) by increasing primary key; `key(row)` is
    the row's primary key."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        rows = list(page.order_by("pk")[:size])
        yield from rows
        if len(rows) < size:
            return
        last = key(rows[-1])


def after(ordering: tuple[str, ...], values: tuple[int, ...]) -> Q:
    """Rows strictly after `values` in the lexicographic order of the `ordering` fields (ascending)."""
    condition = Q(**{f"{ordering[-1]}__gt": values[-1]})
    for depth in range(len(ordering) - 2, -1, -1):
        field, value = ordering[depth], values[depth]
        condition = Q(**{f"{field}__gt": value}) | (Q(**{field: value}) & condition)
    return Q(**{f"{ordering[0]}__gte": values[0]}) & condition  # a bound the planner uses on the index


def parse_cursor(raw: str, width: int) -> tuple[int, ...] | None:
    if raw == "":
        return None
    parts = raw.split(".")
    if len(parts) != width:
        raise InvalidInput({CURSOR: f"must be empty or {width} whole numbers joined by '.', as in a 'next' link"})
    return tuple(parse_int(part, CURSOR, minimum=0, what="a cursor from a 'next' link") for part in parts)


class KeysetPagination(StrictPageNumberPagination):
    """Page numbers with a count as before; keyset pages when the request has `?cursor=`.
    `ordering`: the integer fields the list is ordered by (the last one unique), as in the view's
    queryset; an index on them makes every page a range scan."""

    ordering: tuple[str, ...] = ("id",)

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = CURSOR in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request) or 50
        start = parse_cursor(request.query_params[CURSOR], len(self.ordering))
        if start is not None:
            queryset = queryset.filter(after(self.ordering, start))
        rows = list(queryset.order_by(*self.ordering)[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.last_key = tuple(_value(rows[-1], field) for field in self.ordering) if rows else None
        return rows

    def get_paginated_response(self, data):
        if not self.keyset:
            return super().get_paginated_response(data)
        next_link = None
        if self.has_next and self.last_key is not None:
            url = self.request.build_absolute_uri()
            next_link = replace_query_param(url, CURSOR, ".".join(str(v) for v in self.last_key))
        return Response({"next": next_link, "previous": None, "results": data})

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = [name for name in paged.get("required", []) if name != "count"]
        paged["properties"]["count"]["description"] = "left out of keyset pages (?cursor=)"
        return paged

    def get_schema_operation_parameters(self, view):
        cursor = {
            "name": CURSOR,
            "required": False,
            "in": "query",
            "description": "keyset pages: empty for the first, then the cursor in each answer's `next`",
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]


def _value(row, field: str):
    return getattr(row, field)
