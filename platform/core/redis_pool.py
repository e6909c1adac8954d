"""One Redis connection pool (and client) per process and URL, for Django's Redis cache.

Django keeps a cache client per request context, and under ASGI every request has a context of
its own: with redis-py's plain pool each request opened (and dropped) a fresh TCP connection,
which cost more than the throttle and cache reads it served. redis-py pools notice a fork and
reset themselves, so a pool shared by the whole process is safe in prefork workers too.
"""

import threading
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_lock = threading.Lock()
_pools: dict[tuple[str, str], "SharedConnectionPool"] = {}


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "SharedConnectionPool":
        key = (url, repr(sorted(kwargs.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **kwargs)
            return pool


class _SharedClientCacheClient(RedisCacheClient):
    """One redis-py client per pool: building a client (its table of reply parsers) cost about
    as much CPU as the cache read it was built for. Clients are thread-safe; the pool hands
    each command its own connection."""

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        # Django's own pool lookup (not in django-stubs): the pool is a SharedConnectionPool.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = _clients.get(id(pool))
        if client is None:
            client = _clients[id(pool)] = redis.Redis(connection_pool=pool)
        return client


_clients: dict[int, redis.Redis] = {}  # pools live as long as the process: ids stay unique


class SharedRedisCache(RedisCache):
    """Django's Redis cache on the shared pool and shared clients (settings.CACHES)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {"pool_class": SharedConnectionPool, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _SharedClientCacheClient
