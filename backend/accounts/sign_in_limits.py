"""Limits on failed sign-ins, shared by the token endpoint, the browser's session sign-in and the
admin's login page.

Failures are counted per client address (core.client: REMOTE_ADDR unless trusted proxies are
configured, so a forged X-Forwarded-For buys nothing) and per username, in fixed windows of
SIGN_IN_WINDOW_SECONDS. An attempt takes a place in both counters before the password is checked
(an atomic increment in the cache, so concurrent attempts in any number of web processes are
counted exactly) and gives it back when the password was right: only failures use up the allowance.
Past either limit the attempt is refused (TooManySignIns, answered 429 with Retry-After) without
checking the password. Without the cache nothing can be counted: sign-in is refused with a sentence
(core.errors.Unavailable, answered 503) rather than left unlimited."""

import contextlib
import hashlib
import math
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from backend.core.client import client_address
from backend.core.outages import DependencyUnavailable, outage_of

CACHE_OUT = (
    "Sign-in is paused: the cache that counts sign-in attempts cannot be reached right now. Try again in a moment."
)


class TooManySignIns(Exception):
    def __init__(self, by: str, wait_seconds: int):
        self.by, self.wait_seconds = by, wait_seconds
        what = "from this address" if by == "address" else "for this username"
        super().__init__(f"Too many failed sign-ins {what}; try again in {wait_seconds} s.")


@dataclass
class Attempt:
    keys: list[str]

    def succeeded(self) -> None:
        """The password was right: this attempt does not count against the limits."""
        for key in self.keys:
            # expired, or the cache went away: at worst one failure too many is counted, never fewer
            with contextlib.suppress(Exception):
                cache.decr(key)


def begin(request, username: object) -> Attempt:
    """Count a sign-in attempt; raises TooManySignIns past a limit, Unavailable without a cache."""
    window = settings.SIGN_IN_WINDOW_SECONDS
    now = time.time()
    index = int(now // window)
    wait = max(1, math.ceil((index + 1) * window - now))
    counters = (
        ("address", client_address(request), settings.SIGN_IN_FAILURES_PER_ADDRESS),
        ("username", _normal(username), settings.SIGN_IN_FAILURES_PER_USERNAME),
    )
    taken: list[str] = []
    for by, value, limit in counters:
        key = f"sign-in:{by}:{_digest(value)}:{index}"
        count = _increment(key, window)
        taken.append(key)
        if count > limit:
            raise TooManySignIns(by, wait)
    return Attempt(taken)


def _normal(username: object) -> str:
    """One counter for every spelling of a name (case, surrounding spaces, Unicode forms)."""
    return unicodedata.normalize("NFKC", str(username if username is not None else "")).strip().casefold()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _increment(key: str, window: int) -> int:
    try:
        cache.add(key, 0, timeout=window + 5)
        try:
            return cache.incr(key)
        except ValueError:  # the window's key expired between add and incr
            cache.add(key, 0, timeout=window + 5)
            return cache.incr(key)
    except Exception as exc:
        dependency = getattr(outage_of(exc), "dependency", "cache")  # "redis" when it is the shared Redis
        raise DependencyUnavailable(CACHE_OUT, dependency) from exc
