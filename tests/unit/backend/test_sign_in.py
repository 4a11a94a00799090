"""Sign-in hardening: failed sign-ins are limited per client address and per username on the token
endpoint, the browser's session sign-in and the admin's login page alike; a forged X-Forwarded-For
buys no fresh allowance; the browser signs in with a session cookie under CSRF and never gets a
token; API tokens expire and their user revokes them. (Counting across web processes on a shared
Redis, and the cache going away: tests/integration/test_sign_in_limits.py.)"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.accounts.tokens import EXPIRED
from backend.core.client import client_address

PER_ADDRESS, PER_USERNAME = 6, 3
TOKEN, SESSION, ADMIN = "/api/auth/token/", "/api/auth/session/", "/admin/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = PER_ADDRESS
    settings.SIGN_IN_FAILURES_PER_USERNAME = PER_USERNAME
    settings.TRUSTED_PROXY_COUNT = 0
    cache.clear()
    yield
    cache.clear()


def _post(url, username, password, address="198.51.100.1", forwarded=None, client=None):
    client = client or APIClient()
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if url == ADMIN:
        return client.post(url, {"username": username, "password": password}, **extra)
    return client.post(url, {"username": username, "password": password}, format="json", **extra)


@pytest.mark.parametrize("url", [TOKEN, SESSION, ADMIN])
def test_a_forged_forwarded_for_header_buys_no_fresh_allowance(db, make_user, url):
    user = make_user("spoof-target", is_staff=True)
    statuses = [
        _post(url, f"guess-{i}", "wrong", forwarded=f"10.0.{i}.{i}").status_code for i in range(PER_ADDRESS + 3)
    ]
    refused = 429
    failed = 200 if url == ADMIN else 400  # the admin page answers its form again with the error
    assert statuses == [failed] * PER_ADDRESS + [refused] * 3
    # the right password from that address is refused too, without being checked
    answer = _post(url, user.username, user.raw_password, forwarded="10.9.9.9")
    assert answer.status_code == refused and int(answer["Retry-After"]) > 0
    # another client (another REMOTE_ADDR) is not affected
    assert _post(url, user.username, user.raw_password, address="198.51.100.2").status_code in (200, 302)


def test_a_username_is_limited_whatever_the_address(db, make_user):
    victim, other = make_user("victim"), make_user("bystander")
    statuses = [_post(TOKEN, "victim", "wrong", address=f"203.0.113.{i}").status_code for i in range(PER_USERNAME + 2)]
    assert statuses == [400] * PER_USERNAME + [429] * 2
    # its spellings share the counter; the right password waits for the window like the rest
    assert _post(TOKEN, " VICTIM ", "wrong", address="203.0.113.99").status_code == 429
    refused = _post(TOKEN, "victim", victim.raw_password, address="203.0.113.100")
    assert refused.status_code == 429 and "username" in refused.json()["detail"]
    assert _post(TOKEN, "bystander", other.raw_password, address="203.0.113.1").status_code == 200


def test_the_three_sign_ins_share_one_allowance(db, make_user):
    user = make_user("shared", is_staff=True)
    assert _post(TOKEN, "shared", "wrong").status_code == 400
    assert _post(SESSION, "shared", "wrong").status_code == 400
    assert _post(ADMIN, "shared", "wrong").status_code == 200  # the form again, with its error
    for url in (TOKEN, SESSION):
        answer = _post(url, "shared", user.raw_password)
        assert answer.status_code == 429 and answer["Content-Type"].startswith("application/json")
    admin = _post(ADMIN, "shared", user.raw_password)
    assert admin.status_code == 429 and b"Too many failed sign-ins" in admin.content


def test_successful_sign_ins_do_not_use_up_the_allowance(db, make_user):
    user = make_user("regular")
    for _ in range(PER_ADDRESS + PER_USERNAME):
        assert _post(TOKEN, "regular", user.raw_password).status_code == 200


def test_behind_trusted_proxies_the_proxys_entry_is_the_client(db, settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.10"  # every request comes from the proxy
    statuses = [
        _post(TOKEN, f"g{i}", "wrong", address=proxy, forwarded=f"10.1.1.{i}, 203.0.113.5").status_code
        for i in range(PER_ADDRESS + 1)
    ]
    assert statuses[-1] == 429 and statuses.count(400) == PER_ADDRESS
    # another client behind the same proxy has its own allowance
    assert _post(TOKEN, "g-other", "wrong", address=proxy, forwarded="203.0.113.6").status_code == 400


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "192.0.2.1"),  # no proxy configured: the header is the client's word, ignored
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client wrote 6.6.6.6, the proxy 1.2.3.4
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.1", "1.2.3.4"),
        (2, "1.2.3.4", "192.0.2.1"),  # did not pass both proxies
        (1, "not-an-address", "192.0.2.1"),
        (1, None, "192.0.2.1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": "192.0.2.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected


def test_the_browser_signs_in_with_a_session_cookie_under_csrf(db, make_user):
    user = make_user("browser")
    browser = APIClient(enforce_csrf_checks=True)
    credentials = {"username": "browser", "password": user.raw_password}
    assert browser.get(SESSION).json() == {"user": None, "signed_in_at": None, "expires": None}
    refused = browser.post(SESSION, credentials, format="json")  # no X-CSRFToken: refused
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    csrf = browser.cookies["csrftoken"].value  # set by the GET above
    signed_in = browser.post(SESSION, credentials, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert signed_in.status_code == 200, signed_in.content
    body = signed_in.json()
    assert body["user"]["username"] == "browser" and body["signed_in_at"] and body["expires"]
    assert "token" not in body and not Token.objects.filter(user=user).exists()
    assert browser.cookies["sessionid"]["httponly"]
    assert browser.get("/api/auth/me/").json()["username"] == "browser"
    # writes need the (rotated) CSRF token
    csrf = browser.cookies["csrftoken"].value
    assert browser.post("/api/projects/", {"name": "p"}, format="json").status_code == 403
    assert browser.post("/api/projects/", {"name": "p"}, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 201
    assert browser.delete(SESSION, HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert browser.get("/api/auth/me/").status_code == 401


def test_tokens_expire_and_a_new_one_replaces_an_expired_one(db, settings, make_user):
    settings.API_TOKEN_HOURS = 24
    user = make_user("cli")
    first = _post(TOKEN, "cli", user.raw_password).json()
    assert first["expires"]
    cli = APIClient(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert cli.get("/api/auth/me/").status_code == 200
    Token.objects.filter(key=first["token"]).update(created=timezone.now() - timedelta(hours=25))
    expired = cli.get("/api/auth/me/")
    assert expired.status_code == 401 and expired.json()["detail"] == EXPIRED
    second = _post(TOKEN, "cli", user.raw_password).json()
    assert second["token"] != first["token"]
    assert APIClient(HTTP_AUTHORIZATION=f"Token {second['token']}").get("/api/auth/me/").status_code == 200


def test_a_user_sees_and_revokes_their_api_token(db, make_user):
    user = make_user("revoker")
    key = _post(TOKEN, "revoker", user.raw_password).json()["token"]
    browser = APIClient()
    browser.force_login(user)
    shown = browser.get("/api/auth/api-token/").json()["token"]
    assert shown["prefix"] == key[:6] and key not in str(shown) and shown["expired"] is False
    assert browser.delete("/api/auth/api-token/").status_code == 204
    assert browser.get("/api/auth/api-token/").json() == {"token": None}
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/auth/me/").status_code == 401
