"""Sign-in limits across web processes: two gunicorn processes sharing one Redis (a redis-server the
test owns) count failed sign-ins as one, exactly, under concurrent attempts; with the cache gone
sign-in answers a JSON 503 with a sentence, never 500, and works again when it is back."""

import collections
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import get_random_string

from backend.accounts.sign_in_limits import CACHE_OUT
from tests.conftest import OUTPUT
from tests.processes import Http, OwnedRedis, process_env, wait_for, web_service

pytestmark = pytest.mark.integration
PER_USERNAME = 5


@pytest.fixture
def owned_redis():
    redis = OwnedRedis().start()
    yield redis
    redis.close()


@pytest.fixture
def two_webs(transactional_db, worker_database_url, owned_redis):
    env = process_env(
        DATABASE_URL=worker_database_url,
        CELERY_BROKER_URL=owned_redis.url,  # the broker and the cache every web process shares
        SIGN_IN_FAILURES_PER_USERNAME=PER_USERNAME,
        SIGN_IN_FAILURES_PER_ADDRESS=1000,
    )
    webs = [web_service(env, OUTPUT / "sign-in", threads=8) for _ in range(2)]
    for service, _ in webs:
        service.start()
    try:
        for _, base in webs:
            wait_for(lambda base=base: Http(base).get("/api/auth/session/").status == 200, 120, f"web at {base}")
        yield [base for _, base in webs]
    finally:
        for service, _ in webs:
            service.stop()


def _user(make_user, username):
    """A user whose password the web processes can check (the test process hashes with MD5 for speed)."""
    user = make_user(username)
    user.password = PBKDF2PasswordHasher().encode(user.raw_password, get_random_string(16), iterations=1000)
    user.save(update_fields=["password"])
    return user


def _sign_in(base: str, username: str, password: str):
    return Http(base).post("/api/auth/token/", {"username": username, "password": password})


def test_concurrent_failures_on_two_processes_are_counted_exactly(two_webs, owned_redis, make_user):
    target, other = _user(make_user, "target"), _user(make_user, "other")
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda i: _sign_in(two_webs[i % 2], "target", "wrong"), range(24)))
    assert collections.Counter(a.status for a in answers) == {400: PER_USERNAME, 429: 24 - PER_USERNAME}
    assert all("Too many failed sign-ins for this username" in a.body["detail"] for a in answers if a.status == 429)
    for base in two_webs:  # the right password waits too, on either process; other users sign in
        assert _sign_in(base, "target", target.raw_password).status == 429
        signed_in = _sign_in(base, "other", other.raw_password)
        assert signed_in.status == 200 and signed_in.body["token"]

    owned_redis.stop()
    for base in two_webs:
        answer = _sign_in(base, "other", other.raw_password)
        assert answer.status == 503 and answer.body == {"detail": CACHE_OUT, "unavailable": "redis"}
    owned_redis.start()  # an empty Redis: the window starts afresh
    assert all(_sign_in(base, "target", target.raw_password).status == 200 for base in two_webs)
