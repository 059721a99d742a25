"""Who is calling: the TCP peer, or, behind a trusted reverse proxy, the client that proxy forwards for.

``X-Forwarded-For`` is a claim anyone can send, so it is believed only from the peers in ``RAG_TRUSTED_PROXIES``
(none by default). uvicorn has its own idea: started plainly it believes the header from 127.0.0.1 and puts the
claimed address where the peer's was, before the app sees the request. So a request that carries the header but did
not come from a trusted proxy counts against the address it shows and also against one budget all such requests
share, :data:`UNTRUSTED_FORWARD`: forging a new address each time buys nothing. (Behind a proxy, start uvicorn
with ``--no-proxy-headers``, as ``make run`` does, so the app sees the proxy's own address.)

>>> direct = Peers([])
>>> direct.client("127.0.0.1", []), direct.client("198.51.100.7", ["198.51.100.7"])
(('127.0.0.1', False), ('198.51.100.7', True))
>>> proxied = Peers(["127.0.0.1", "10.0.0.0/8"])
>>> proxied.client("127.0.0.1", ["198.51.100.7, 10.1.2.3"]), proxied.client("127.0.0.1", [])
(('198.51.100.7', False), ('127.0.0.1', False))
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

UNTRUSTED_FORWARD = "forwarded-untrusted"
MAX_HOST_CHARS = 64  # a forwarded entry is an address; anything longer is cut (it keys a dict)


def _host(entry: str) -> str:
    """``"[2001:db8::1]:80"`` -> ``"2001:db8::1"``, ``"198.51.100.7:1234"`` -> ``"198.51.100.7"``."""
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:
        return entry[1:entry.index("]")]
    if entry.count(":") == 1:
        return entry.split(":", 1)[0]
    return entry


class Peers:
    """Decides the client address from the peer and the ``X-Forwarded-For`` values, given the trusted proxies."""

    def __init__(self, trusted: Sequence[str]) -> None:
        self.networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> tuple[str, bool]:
        """(address, untrusted forward): the peer if nothing was forwarded; the first untrusted hop from the right
        if the peer is a trusted proxy (each proxy appends the address it saw); the peer, flagged, if anyone else
        sent the header."""
        if not forwarded_for:
            return peer, False
        if not self.trusted(peer):  # (uvicorn may have put a forwarded claim here: cut to an address's length)
            return peer[:MAX_HOST_CHARS], True
        hops = [_host(h) for value in forwarded_for for h in value.split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop[:MAX_HOST_CHARS], False
        return (hops[0][:MAX_HOST_CHARS] if hops else peer), False


@lru_cache(maxsize=8)
def peers_for(trusted: tuple[str, ...]) -> Peers:
    return Peers(trusted)
