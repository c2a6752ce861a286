"""Bitstring Status Lists (W3C): the bitstring, its encoding, and the status list credential's shape.

Bit 0 is the most significant bit of the first byte (the spec's left-most bit). The encoded list is
multibase base64url (prefix 'u', no padding) of the GZIP-compressed bitstring.
"""

from __future__ import annotations

import base64
import gzip
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: The spec's floor for herd privacy: a list smaller than this tells too much about each entry.
MIN_ENTRIES = 131_072
MAX_ENCODED_BYTES = 2 * 1024 * 1024  # a decompression bomb is refused before it is inflated
PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """An encoded list that cannot be read, or is too short to trust."""


@dataclass
class Bitstring:
    """A mutable bitstring of a fixed length."""

    length: int
    bits: bytearray

    @classmethod
    def zeros(cls, length: int = MIN_ENTRIES) -> Bitstring:
        if length % 8:
            raise ValueError("a status list length must be a multiple of 8")
        return cls(length, bytearray(length // 8))

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool) -> None:
        self._check(index)
        if value:
            self.bits[index // 8] |= 0x80 >> (index % 8)
        else:
            self.bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF

    def set_indexes(self) -> list[int]:
        return [
            byte_index * 8 + bit
            for byte_index, byte in enumerate(self.bits)
            if byte
            for bit in range(8)
            if byte & (0x80 >> bit)
        ]

    def _check(self, index: int) -> None:
        if not 0 <= index < self.length:
            raise IndexError(f"status index {index} is outside the list (0..{self.length - 1})")

    def encode(self) -> str:
        # mtime=0 keeps the encoding a pure function of the bits (the same list always encodes the same).
        compressed = gzip.compress(bytes(self.bits), compresslevel=6, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, min_entries: int = MIN_ENTRIES) -> Bitstring:
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (starting with 'u')")
        body = encoded[1:]
        if len(body) > MAX_ENCODED_BYTES:
            raise StatusListError("encodedList is too large")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            # Inflate at most what a legitimate list could need: 16 MiB is 134 million entries.
            with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as fh:
                raw = fh.read(16 * 1024 * 1024 + 1)
        except (ValueError, OSError, EOFError) as exc:
            raise StatusListError(f"encodedList is not valid GZIP in base64url: {exc}") from None
        if len(raw) > 16 * 1024 * 1024:
            raise StatusListError("encodedList inflates to more than 16 MiB")
        length = len(raw) * 8
        if length < min_entries:
            raise StatusListError(f"the list has {length} entries; at least {min_entries} are required")
        return cls(length, bytearray(raw))


def random_free_index(length: int, taken: Iterable[int], *, tries: int = 64) -> int:
    """A random index not yet used. Random (not sequential) so an index says nothing about issuance order."""
    used = set(taken)
    if len(used) >= length:
        raise StatusListError("the status list is full")
    for _ in range(tries):
        candidate = secrets.randbelow(length)
        if candidate not in used:
            return candidate
    # Nearly full: fall back to scanning from a random start, still unpredictable.
    start = secrets.randbelow(length)
    for offset in range(length):
        candidate = (start + offset) % length
        if candidate not in used:
            return candidate
    raise StatusListError("the status list is full")


def status_list_credential(
    *, list_url: str, issuer: str, purpose: str, bitstring: Bitstring, valid_from: str, valid_until: str, ttl_ms: int
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for one list."""
    if purpose not in PURPOSES:
        raise ValueError(f"status purpose must be one of {PURPOSES}")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bitstring.encode(),
            "ttl": ttl_ms,
        },
    }


def status_entry(*, list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """The credentialStatus entry a credential carries for one list."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
