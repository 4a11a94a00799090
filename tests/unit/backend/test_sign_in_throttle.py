"""The sign-in limit counts atomically: requests checked at the same instant from many threads (as
from many web processes sharing one cache) never pass more than the limit in a window."""

import threading

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.test import APIRequestFactory

from backend.accounts.apis import TokenApi
from backend.accounts.throttles import AtomicScopedRateThrottle

LIMIT = 30


def anonymous_post(address: str):
    request = APIRequestFactory().post("/api/auth/token/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    return request


def test_concurrent_sign_ins_never_pass_more_than_the_limit(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": f"{LIMIT}/minute"}}
    cache.clear()
    request = anonymous_post("10.0.0.7")
    view = TokenApi()
    callers = 120
    barrier = threading.Barrier(callers)
    passed = []

    def sign_in():
        throttle = AtomicScopedRateThrottle()
        throttle.THROTTLE_RATES = {"token": f"{LIMIT}/minute"}
        barrier.wait()
        passed.append(throttle.allow_request(request, view))

    threads = [threading.Thread(target=sign_in) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(passed) == LIMIT
    cache.clear()


def test_the_refusal_says_when_to_come_back(settings):
    cache.clear()
    request = anonymous_post("10.0.0.8")
    throttle = AtomicScopedRateThrottle()
    throttle.THROTTLE_RATES = {"token": "2/minute"}
    answers = [throttle.allow_request(request, TokenApi()) for _ in range(3)]
    assert answers == [True, True, False]
    assert 1 <= throttle.wait() <= 60
    cache.clear()
