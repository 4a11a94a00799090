"""Signing in, out and revoking a token in the browser: the app signs in with an HttpOnly session
cookie and keeps nothing in localStorage (a token an earlier version left there is removed); the
account page shows the session and the user's API token, revokes the token (the script using it is
refused from then on) and signs out (the session cookie stops working on the server)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.e2e


def test_sign_in_revoke_the_api_token_and_sign_out(page, live_server, make_user):
    user = make_user("e2e-account")
    script = APIClient()
    key = script.post("/api/auth/token/", {"username": user.username, "password": user.raw_password}).json()["token"]
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert script.get("/api/auth/me/").status_code == 200

    page.goto(live_server.url + "/account")
    page.wait_for_selector("input[name=username]")
    assert "/login?next=%2Faccount" in page.url
    page.evaluate("localStorage.setItem('segdata.token', 'left-by-an-earlier-version')")
    page.reload()
    page.wait_for_selector("input[name=username]")
    assert page.evaluate("localStorage.getItem('segdata.token')") is None

    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.raw_password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=browser-session]")
    assert user.username in page.inner_text("[data-testid=browser-session]")
    # the session: an HttpOnly cookie no script reads, nothing in the page's storage
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["httpOnly"] and "sessionid" not in page.evaluate("document.cookie")
    stored = page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert key not in stored and cookies["sessionid"]["value"] not in stored

    token = page.locator("[data-testid=api-token]")
    assert token.get_attribute("data-prefix") == key[:6] and key not in page.content()
    page.click("button:has-text('Revoke token')")
    page.wait_for_selector("[data-testid=no-api-token]")
    assert not Token.objects.filter(user=user).exists()
    assert script.get("/api/auth/me/").status_code == 401

    # the top bar's name leads back here; sign out ends the session on the server
    page.click("text=Projects")
    page.click(".topbar .user")
    page.wait_for_selector("[data-testid=browser-session]")
    page.click("[data-testid=browser-session] button:has-text('Sign out')")
    page.wait_for_selector("input[name=username]")
    assert page.request.get(live_server.url + "/api/auth/me/").status == 401
    page.goto(live_server.url + "/account")
    page.wait_for_selector("input[name=username]")
