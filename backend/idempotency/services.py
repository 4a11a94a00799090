"""Claiming an Idempotency-Key and keeping the first answer, inside the request's transaction.

A claim is a row inserted under a unique (user, key) constraint. While the first request runs, its
transaction holds that row uncommitted: a concurrent copy blocks on the insert (PostgreSQL waits on
the unique index; SQLite on its write lock) until the first commits, then finds the row and gets the
stored answer. When the first fails, its transaction rolls the claim back and the copy runs."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.core.errors import Conflict
from backend.idempotency.models import IdempotentRequest

# One claim in PURGE_EVERY also deletes the caller's expired keys (at most PURGE_BATCH of them):
# the table stays bounded without a DELETE on every request.
PURGE_EVERY = 64
PURGE_BATCH = 500


def claim(*, user, key: str, fingerprint: str, path: str) -> tuple[IdempotentRequest, bool]:
    """(row, True): the key is ours, run the request and record() or release() it; (row, False):
    a request with this key finished before, row holds its answer. Call inside transaction.atomic().
    The usual path is one INSERT; a key whose row has expired is free again."""
    now = timezone.now()
    for _ in range(3):  # a claim released or expired between our insert and our read: try again
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    path=path[:500],
                    status_code=0,
                    expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
                )
            if row.pk % PURGE_EVERY == 0:
                _purge_expired(user, now)
            return row, True
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(user=user, key=key).first()
            if existing is not None and existing.expires_at <= now:
                IdempotentRequest.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
                continue
            if existing is not None:
                return existing, False
    raise Conflict("another request with this Idempotency-Key is being answered; retry in a moment")


def _purge_expired(user, now) -> None:
    expired = IdempotentRequest.objects.filter(user=user, expires_at__lte=now).values("pk")[:PURGE_BATCH]
    IdempotentRequest.objects.filter(pk__in=expired).delete()


def record(row: IdempotentRequest, *, status_code: int, body) -> None:
    row.status_code, row.body = status_code, body
    row.save(update_fields=["status_code", "body"])


def release(row: IdempotentRequest) -> None:
    """The request did not succeed: the key may be used again."""
    row.delete()
