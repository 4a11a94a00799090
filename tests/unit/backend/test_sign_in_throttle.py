"""The sign-in limits count atomically: attempts checked at the same instant from many threads (as
from many web processes sharing one cache; across real processes on Redis:
tests/integration/test_sign_in_limits.py) never let more than the limit through in a window."""

import threading

import pytest
from django.core.cache import cache
from rest_framework.test import APIRequestFactory

from backend.accounts import sign_in_limits

LIMIT = 30


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = LIMIT
    settings.SIGN_IN_FAILURES_PER_USERNAME = 10_000
    settings.TRUSTED_PROXY_COUNT = 0
    cache.clear()
    yield
    cache.clear()


def anonymous_post(address: str):
    return APIRequestFactory().post("/api/auth/token/", REMOTE_ADDR=address)


def test_concurrent_sign_ins_never_pass_more_than_the_limit():
    request = anonymous_post("10.0.0.7")
    callers = 120
    barrier = threading.Barrier(callers)
    passed = []

    def sign_in(number: int):
        barrier.wait()
        try:
            sign_in_limits.begin(request, f"user-{number}")  # and then fails: the attempt stays counted
            passed.append(number)
        except sign_in_limits.TooManySignIns:
            pass

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == LIMIT


def test_the_refusal_says_when_to_come_back(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 2
    request = anonymous_post("10.0.0.8")
    sign_in_limits.begin(request, "a")
    sign_in_limits.begin(request, "b")
    with pytest.raises(sign_in_limits.TooManySignIns) as refused:
        sign_in_limits.begin(request, "c")
    assert refused.value.by == "address"
    assert 1 <= refused.value.wait_seconds <= settings.SIGN_IN_WINDOW_SECONDS
