"""Limits on sign-in and sign-up attempts, held in the shared cache so they hold across server processes and
machines (docs/ARCHITECTURE.md, "Attempt limits").

The counters live in the `shared` cache alias (settings.CACHES): Django's database cache on the embedded default,
Redis when GREENTECH_CACHE_URL names one. Sign-in failures count per account and per client address; once either
reaches its limit, every sign-in for that account or from that client is refused until the window ends, the right
password included. The client address is REMOTE_ADDR, or the X-Forwarded-For entry the last trusted proxy
(GREENTECH_TRUSTED_PROXIES) appended: a header from anyone else is the client's to invent and ignored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.core.exceptions import PermissionDenied

CACHE_ALIAS = "shared"


@dataclass(frozen=True)
class Limit:
    """At most `attempts` counted events per key within `window` seconds of the first."""

    scope: str
    attempts: int
    window: int


# A person who mistypes a password a few times is far below these; a script guessing passwords is stopped after
# ten tries at one account, or thirty from one address, in a quarter of an hour.
SIGN_IN_PER_ACCOUNT = Limit("sign-in-account", 10, 900)
SIGN_IN_PER_CLIENT = Limit("sign-in-client", 30, 900)
# Sign-ups (valid or not) per client address: a campus behind one address signing up a room of people at a
# matchmaking event stays below it, a script mass-creating accounts or probing names does not.
SIGN_UP_PER_CLIENT = Limit("sign-up", 20, 600)


def _cache():
    return caches[CACHE_ALIAS]


def _key(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]  # no raw usernames in the store
    return f"greentech:limit:{limit.scope}:{digest}"


def hit(limit: Limit, value: str) -> int:
    """Count one event for `value`; the number counted in the current window."""
    cache, key = _cache(), _key(limit, value)
    if cache.add(key, {"count": 1, "since": time.time()}, timeout=limit.window):
        return 1
    # counters are read-modify-write (the database cache has no atomic incr across processes): a rare lost count
    # under a burst lets a script a few attempts more, never fewer than the limit to a person
    entry = cache.get(key) or {"count": 0, "since": time.time()}
    entry["count"] += 1
    remaining = max(1, int(entry["since"] + limit.window - time.time()))
    cache.set(key, entry, timeout=remaining)
    return entry["count"]


def count(limit: Limit, value: str) -> int:
    entry = _cache().get(_key(limit, value))
    return entry["count"] if entry else 0


def retry_after(limit: Limit, value: str) -> int:
    """Seconds until the window of `value` ends (0 when nothing is counted)."""
    entry = _cache().get(_key(limit, value))
    return max(0, int(entry["since"] + limit.window - time.time())) if entry else 0


def reached(limit: Limit, value: str) -> bool:
    return bool(value) and count(limit, value) >= limit.attempts


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in settings.GREENTECH_TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy, then the X-Forwarded-For entry nearest
    to us that is not itself a trusted proxy (entries further left are the client's to invent)."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    for entry in reversed(forwarded):
        if not _trusted(entry):
            return entry
        address = entry
    return address


def sign_in_blocked(request, username: str) -> int:
    """Seconds to wait when sign-in for `username` or from this client is at its limit, else 0."""
    client = client_address(request) if request is not None else ""
    waits = [
        retry_after(limit, value)
        for limit, value in ((SIGN_IN_PER_ACCOUNT, username or ""), (SIGN_IN_PER_CLIENT, client))
        if reached(limit, value)
    ]
    return max(waits, default=0)


def count_sign_in_failure(request, username: str) -> None:
    if username:
        hit(SIGN_IN_PER_ACCOUNT, username)
    if request is not None:
        hit(SIGN_IN_PER_CLIENT, client_address(request))


class SignInLimited(PermissionDenied):
    """Sign-in refused because of the attempt limits; `wait` seconds until it may be tried again."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


class LimitedModelBackend(ModelBackend):
    """Django's username/password backend behind the sign-in limits: every password sign-in (the portal's login
    page, the admin's, anything calling `authenticate`) passes here. At the limit it refuses before checking the
    password (PermissionDenied stops Django trying other backends) and notes the wait on the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        wait = sign_in_blocked(request, username)
        if wait:
            if request is not None:
                request.sign_in_wait = wait
            raise SignInLimited(wait)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            count_sign_in_failure(request, username)
        return user

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
