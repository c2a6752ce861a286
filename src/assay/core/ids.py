"""Identifiers: sortable internal IDs, and unguessable public tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

#: Public tokens carry this many random bits (the floor for anything that grants access by knowledge).
TOKEN_BITS = 192


_lock = threading.Lock()
_last = (-1, 0)  # (milliseconds, random part) of the previous ID made in this process


def new_id(at: datetime) -> str:
    """A 26-character ULID: 48 bits of milliseconds since the epoch, then 80 random bits.

    IDs sort in creation order, so primary keys index well and lists come out in order. Within one
    process they are strictly increasing (the ULID spec's monotonic mode): an ID made in the same
    millisecond as the previous one, or with a clock that has not moved (a test's frozen clock),
    takes the previous random part plus one. The time is passed in: the caller owns the clock.
    """
    global _last
    millis = int(at.timestamp() * 1000)
    if not 0 <= millis < 2**48:
        raise ValueError("timestamp outside the ULID range")
    with _lock:
        last_millis, last_random = _last
        if millis <= last_millis and last_random + 1 < 2**80:
            millis, random_part = last_millis, last_random + 1
        else:
            random_part = secrets.randbits(80)
        _last = (millis, random_part)
    value = (millis << 80) | random_part
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_token() -> str:
    """A URL-safe public token with TOKEN_BITS of randomness (share links, invitations, credential IDs).

    Never starts with ``-`` or ``_``: people paste these into command lines, where a leading dash reads
    as an option (``assay credentials export -j_HP...``). Redrawing those costs under 0.05 bits."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BITS // 8)
        if token[0] not in "-_":
            return token


def token_digest(token: str) -> str:
    """What we store instead of a bearer token: its SHA-256, hex. A leaked table grants nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
