"""The Redis cache reuses one client per connection pool instead of building one per operation
(no server needed: a redis.Redis connects only when it sends a command)."""

from backend.core.redis_cache import RedisCache


def test_one_client_serves_every_operation_of_a_pool():
    cache = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client("any key", write=True) is first
    assert cache._cache.get_client(write=False) is cache._cache.get_client(write=False)
