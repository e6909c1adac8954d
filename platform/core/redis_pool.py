"""One Redis connection pool per process and URL, for Django's Redis cache.

Django keeps a cache client per request context, and under ASGI every request has a context of
its own: with redis-py's plain pool each request opened (and dropped) a fresh TCP connection,
which cost more than the throttle and cache reads it served. redis-py pools notice a fork and
reset themselves, so a pool shared by the whole process is safe in prefork workers too.
"""

import threading
from typing import Any

import redis

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
