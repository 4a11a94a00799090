"""Which exceptions mean that a dependency is out (database, broker, cache, storage), and the
sentence a user reads for each. The API edge answers them 503 (config.exceptions for DRF views,
config.middleware for everything else); code that can do without a dependency (predict without
its logits cache) asks `outage_of` whether an error is such an outage."""

from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as StorageConnectionError
from botocore.exceptions import HTTPClientError as StorageHTTPError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.core.errors import Unavailable

DATABASE = "The database cannot be reached right now; nothing was saved. Try again in a moment."
REDIS = "The cache and message broker (Redis) cannot be reached right now. Try again in a moment."
BROKER = "The message broker cannot be reached right now. Try again in a moment."
STORAGE = "File storage cannot be reached right now; nothing was saved. Try again in a moment."
# S3 answers these when it is overloaded or failing, not because of the request.
STORAGE_SERVER_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503", "500"}


class DependencyUnavailable(Unavailable):
    """An outage recognised from a library's exception; `dependency` names the part that is out."""

    def __init__(self, message: str, dependency: str):
        super().__init__(message)
        self.dependency = dependency


def outage_of(exc: BaseException) -> Unavailable | None:
    """The Unavailable error `exc` amounts to (looking through its causes), or None when it is not a
    dependency outage."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _outage(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _outage(exc: BaseException) -> Unavailable | None:
    if isinstance(exc, Unavailable):
        return exc
    if isinstance(exc, (DatabaseOperationalError, DatabaseInterfaceError)) and not _schema_error(exc):
        return DependencyUnavailable(DATABASE, "database")
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return DependencyUnavailable(REDIS, "redis")
    if isinstance(exc, BrokerOperationalError):
        return DependencyUnavailable(BROKER, "broker")
    if isinstance(exc, (StorageConnectionError, StorageHTTPError)):
        return DependencyUnavailable(STORAGE, "storage")
    if isinstance(exc, ClientError) and _storage_server_error(exc):
        return DependencyUnavailable(STORAGE, "storage")
    return None


def _schema_error(exc: BaseException) -> bool:
    """SQLite reports a missing table or a bad statement as an OperationalError: a bug, not an outage."""
    text = str(exc)
    return text.startswith("no such ") or "syntax error" in text


def _storage_server_error(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error.get("Code") in STORAGE_SERVER_CODES or status >= 500
