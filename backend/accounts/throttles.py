"""Sign-in limits that hold across processes: DRF's throttles read a list from the cache, append
and write it back, so two web processes that read at once both pass (34 sign-ins passed a limit of
30 under load). This one counts with the cache's atomic increment (Redis INCR), in fixed windows
of the rate's period: never more than the limit per window, whatever the number of processes."""

from rest_framework.throttling import ScopedRateThrottle


class AtomicScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle (the view's `throttle_scope`, DEFAULT_THROTTLE_RATES) with an atomic count."""

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.key}:w{window}"
        self.wait_seconds = max(1.0, (window + 1) * self.duration - now)
        self.cache.add(key, 0, self.duration + 1)  # no-op when the window's counter exists
        try:
            count = self.cache.incr(key)
        except ValueError:  # the counter expired between add and incr: this request starts the window
            self.cache.add(key, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds
