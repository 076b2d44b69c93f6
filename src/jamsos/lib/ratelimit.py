"""A per-key fixed-window rate limit on the Django cache.

Design goal: slow down enumeration (trying NIK after NIK) without a broker or a table:
one ``cache.add`` and one ``cache.incr`` per hit. With the default per-process memory
cache the limit holds per worker process; configure a shared cache (database, Redis) in
production so it holds per user across processes.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable

from django.core.cache import cache

from jamsos.lib.errors import DomainError


class RateLimited(DomainError):
    """Too many requests; ``params["retry_after"]`` is the seconds to wait."""

    code = "rate_limited"
    http_status = 429

    @property
    def retry_after(self) -> int:
        return int(self.params.get("retry_after", 60))


def _window_counter(key: str, window: int, now: float) -> tuple[float, str]:
    # The window opens at the first hit (not on the clock's minute, where two bursts on
    # either side of it would both pass); its start names the counter, so a cache that
    # renews a key's timeout on incr (the database cache) still starts a new count.
    start_key = f"ratelimit:{key}:start"
    cache.add(start_key, now, timeout=window)
    start = float(cache.get(start_key, now))
    return start, f"ratelimit:{key}:{start:.6f}"


def _count(count_key: str, cost: int, window: int) -> int:
    cache.add(count_key, 0, timeout=window + 1)
    try:
        return cache.incr(count_key, cost)
    except ValueError:  # expired between add and incr
        cache.add(count_key, cost, timeout=window + 1)
        return cost


def _refuse(*, start: float, window: int, now: float, limit: int, message: str) -> RateLimited:
    retry_after = max(1, math.ceil(start + window - now))
    return RateLimited(
        message or f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
        retry_after=retry_after,
        limit=limit,
    )


def rate_limit_hit(
    *, key: str, limit: int, window: int = 60, message: str = "", cost: int = 1
) -> None:
    """Count ``cost`` hits of ``key``; raise ``RateLimited`` when it is over ``limit`` in
    the current ``window`` seconds. A limit of 0 or less means no limit."""
    if limit <= 0:
        return
    now = time.time()
    start, count_key = _window_counter(key, window, now)
    if _count(count_key, cost, window) > limit:
        raise _refuse(start=start, window=window, now=now, limit=limit, message=message)


def rate_limit_distinct(
    *, key: str, items: Iterable[str], limit: int, window: int = 60, message: str = ""
) -> int:
    """Count the *distinct* ``items`` (NIKs) ``key`` asked about in the window: an item
    already counted in this window is free (re-checking the NIK being typed), a new one
    costs 1. Raise ``RateLimited`` when the distinct count is over ``limit``. Items are
    kept in the cache as a short hash, never as they are. Returns the new items' count.
    """
    if limit <= 0:
        return 0
    now = time.time()
    start, count_key = _window_counter(key, window, now)
    new = 0
    for item in set(items):
        if not item:
            continue
        digest = hashlib.sha256(f"{key}:{item}".encode()).hexdigest()[:24]
        if cache.add(f"{count_key}:{digest}", 1, timeout=window + 1):
            new += 1
    hits = _count(count_key, new, window) if new else int(cache.get(count_key, 0))
    if hits > limit:
        raise _refuse(start=start, window=window, now=now, limit=limit, message=message)
    return new
