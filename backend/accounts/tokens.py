"""API tokens (DRF's, one per user) for scripts and the CLI: `Authorization: Token <key>`.
A token stops working API_TOKEN_HOURS after it was made (0: never) and can be revoked by its user
(the browser app's account page, DELETE /api/auth/api-token/). The browser app itself signs in with
a session cookie and never holds a token."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from backend.core.compiled import CompiledQuery

EXPIRED = "This API token has expired; sign in again (POST /api/auth/token/) for a new one."


def expires_at(token: Token) -> datetime | None:
    hours = settings.API_TOKEN_HOURS
    return token.created + timedelta(hours=hours) if hours > 0 else None


def is_expired(token: Token) -> bool:
    end = expires_at(token)
    return end is not None and end <= timezone.now()


def token_for(user) -> Token:
    """The user's live token, or a new one in place of an expired (or no) token."""
    with transaction.atomic():
        token, created = Token.objects.select_for_update().get_or_create(user=user)
        if not created and is_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
    return token


def revoke(user) -> bool:
    """Deletes the user's token; True when there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


def describe(token: Token | None) -> dict | None:
    """What the account page shows of a token: never the key itself."""
    if token is None:
        return None
    return {
        "prefix": token.key[:6],
        "created": token.created,
        "expires": expires_at(token),
        "expired": is_expired(token),
    }


# Every API request reads its token: built and compiled once per process.
_TOKEN_WITH_USER = CompiledQuery(
    "token with its user",
    Token,
    lambda shape, *, key: Token.objects.select_related("user").filter(key=key),
    {"key": str},
)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's own check (the token with its user in one query, an inactive user refused), from
        # the compiled query.
        token = _TOKEN_WITH_USER.first(key=key)
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if is_expired(token):
            raise AuthenticationFailed(EXPIRED)
        return user, token
