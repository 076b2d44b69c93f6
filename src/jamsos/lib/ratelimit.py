"""A per-key fixed-window rate limit on the Django cache.

Design goal: slow down enumeration (trying NIK after NIK) without a broker or a table:
one ``cache.add`` and one ``cache.incr`` per hit. With the default per-process memory
cache the limit holds per worker process; configure a shared cache (database, Redis) in
production so it holds per user across processes.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from jamsos.lib.errors import DomainError


class RateLimited(DomainError):
    """Too many requests; ``params["retry_after"]`` is the seconds to wait."""

    code = "rate_limited"
    http_status = 429

    @property
    def retry_after(self) -> int:
        return int(self.params.get("retry_after", 60))


def rate_limit_hit(*, key: str, limit: int, window: int = 60, message: str = "") -> None:
    """Count one hit of ``key``; raise ``RateLimited`` when it is over ``limit`` in the
    current ``window`` seconds. A limit of 0 or less means no limit."""
    if limit <= 0:
        return
    now = time.time()
    # The window opens at the first hit (not on the clock's minute, where two bursts on
    # either side of it would both pass); its start names the counter, so a cache that
    # renews a key's timeout on incr (the database cache) still starts a new count.
    start_key = f"ratelimit:{key}:start"
    cache.add(start_key, now, timeout=window)
    start = float(cache.get(start_key, now))
    count_key = f"ratelimit:{key}:{start:.6f}"
    cache.add(count_key, 0, timeout=window + 1)
    try:
        hits = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.add(count_key, 1, timeout=window + 1)
        hits = 1
    if hits > limit:
        retry_after = max(1, math.ceil(start + window - now))
        raise RateLimited(
            message or f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
            retry_after=retry_after,
            limit=limit,
        )


def rate_limit_peek(*, key: str, limit: int, window: int = 60, message: str = "") -> None:
    """Raise ``RateLimited`` if ``key`` has already reached ``limit`` hits in its current
    window, without counting one. With ``rate_limit_hit`` called only on some outcomes
    (a failed look-up), it limits those outcomes alone."""
    if limit <= 0:
        return
    start = cache.get(f"ratelimit:{key}:start")
    if start is None:
        return
    hits = cache.get(f"ratelimit:{key}:{float(start):.6f}", 0)
    if hits >= limit:
        retry_after = max(1, math.ceil(float(start) + window - time.time()))
        raise RateLimited(
            message or f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
            retry_after=retry_after,
            limit=limit,
        )
