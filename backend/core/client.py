"""Who is asking, as far as the network can tell: the client's address."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT reverse proxies stand in front of the app:
    then the address the outermost of them appended to X-Forwarded-For. Entries left of it were
    written by the client and are never believed; a request that did not pass every trusted proxy
    (too few entries, or an entry that is not an address) is judged by REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
