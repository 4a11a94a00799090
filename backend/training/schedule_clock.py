"""The clock of a retraining schedule, checked: every N minutes, hours or days, or a cron line
(minute hour day-of-month month day-of-week, in UTC, read as celery's crontab reads it), never more
often than TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS."""

import re
from dataclasses import dataclass
from itertools import pairwise

from celery.schedules import ParseException, crontab_parser
from django.conf import settings

from backend.core.errors import InvalidInput

PERIOD_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}
# name, smallest and largest value, whether names (mon, jan) are allowed
CRON_FIELDS = (
    ("minute", 0, 59, False),
    ("hour", 0, 23, False),
    ("day_of_month", 1, 31, False),
    ("month_of_year", 1, 12, True),
    ("day_of_week", 0, 6, True),
)
CRON_EXAMPLE = "five fields: minute hour day-of-month month day-of-week (UTC), e.g. '0 3 * * *' for 03:00 every day"
_DIGITS_PART = re.compile(r"[0-9*,/-]+")
_NAMED_PART = re.compile(r"[0-9a-z*,/-]+")


@dataclass(frozen=True)
class Clock:
    """every + period (an interval) or cron (a crontab line); all None: no clock (masks only)."""

    every: int | None = None
    period: str | None = None
    cron: str | None = None

    @property
    def is_set(self) -> bool:
        return self.every is not None or self.cron is not None


def _minimum() -> int:
    return int(settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS)


def _too_often(seconds: float) -> str:
    minimum = _minimum()
    shown = f"{minimum // 60} minutes" if minimum % 60 == 0 else f"{minimum} seconds"
    return f"runs every {_duration(seconds)}; this deployment allows no schedule more often than every {shown}"


def _duration(seconds: float) -> str:
    if seconds % 60:
        return f"{int(seconds)} seconds"
    return f"{int(seconds // 60)} minute{'s' if seconds != 60 else ''}"


def cron_fields(cron: str) -> dict[str, str]:
    """The five crontab fields by name (CrontabSchedule's columns), each parsed; InvalidInput
    {"cron": sentence} otherwise."""
    parts = cron.lower().split()
    if len(parts) != len(CRON_FIELDS):
        raise InvalidInput({"cron": f"{len(parts)} field(s) given; {CRON_EXAMPLE}"})
    fields = {}
    for (name, low, high, named), part in zip(CRON_FIELDS, parts, strict=True):
        pattern = _NAMED_PART if named else _DIGITS_PART
        values: set[int] = set()
        if pattern.fullmatch(part):
            try:
                values = crontab_parser(high + 1, low).parse(part)
            except (ValueError, ParseException):
                values = set()
        if not values:
            readable = name.replace("_", " ")
            raise InvalidInput({"cron": f"the {readable} field {part[:20]!r} is not valid: values {low}-{high}"})
        fields[name] = part
    return fields


def cron_shortest_gap(fields: dict[str, str]) -> int:
    """The shortest time between two runs of the crontab, in seconds (runs on consecutive days count;
    restricted days only lengthen the gaps)."""
    minutes = sorted(crontab_parser(60, 0).parse(fields["minute"]))
    hours = sorted(crontab_parser(24, 0).parse(fields["hour"]))
    times = [hour * 60 + minute for hour in hours for minute in minutes]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    gaps.append(24 * 60 - times[-1] + times[0])
    return min(gaps) * 60


def clock_check(clock: Clock) -> None:
    """InvalidInput naming the field when the clock cannot be used."""
    if clock.every is not None and clock.cron is not None:
        raise InvalidInput({"cron": "give either every and period, or cron, not both"})
    if clock.every is not None:
        if clock.period not in PERIOD_SECONDS:
            raise InvalidInput({"period": f"required with every: one of {sorted(PERIOD_SECONDS)}"})
        seconds = clock.every * PERIOD_SECONDS[clock.period]
        if seconds < _minimum():
            raise InvalidInput({"every": _too_often(seconds)})
    elif clock.period is not None:
        raise InvalidInput({"every": "required with period"})
    if clock.cron is not None:
        gap = cron_shortest_gap(cron_fields(clock.cron))
        if gap < _minimum():
            raise InvalidInput({"cron": _too_often(gap)})
