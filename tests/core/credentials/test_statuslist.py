"""Bitstring Status Lists: bit order, encoding, decoding limits, random allocation."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.core.credentials.statuslist import (
    MIN_ENTRIES,
    Bitstring,
    StatusListError,
    random_free_index,
    status_entry,
    status_list_credential,
)

SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_an_empty_list_encodes_like_the_spec_example() -> None:
    assert Bitstring.zeros().encode() == SPEC_EMPTY_LIST


def test_bit_zero_is_the_leftmost_bit() -> None:
    bits = Bitstring.zeros()
    bits.set(0, True)
    bits.set(9, True)
    assert bits.bits[0] == 0b1000_0000 and bits.bits[1] == 0b0100_0000


@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=50))
def test_round_trip(indexes: set[int]) -> None:
    bits = Bitstring.zeros()
    for i in indexes:
        bits.set(i, True)
    decoded = Bitstring.decode(bits.encode())
    assert decoded.set_indexes() == sorted(indexes)
    assert all(decoded.get(i) for i in indexes)


def test_clearing_a_bit() -> None:
    bits = Bitstring.zeros()
    bits.set(77, True)
    bits.set(77, False)
    assert not bits.get(77) and bits.set_indexes() == []


def test_short_lists_are_refused() -> None:
    short = Bitstring.zeros(8 * 1024)
    with pytest.raises(StatusListError, match="at least 131072"):
        Bitstring.decode(short.encode())


@pytest.mark.parametrize("encoded", ["", "zABC", "u!!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()])
def test_garbage_is_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        Bitstring.decode(encoded)


def test_decompression_bombs_are_refused() -> None:
    bomb = gzip.compress(bytes(20 * 1024 * 1024), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(StatusListError, match="more than 16 MiB"):
        Bitstring.decode(encoded)


def test_out_of_range_index() -> None:
    with pytest.raises(IndexError):
        Bitstring.zeros().get(MIN_ENTRIES)


def test_random_indexes_are_free_and_spread() -> None:
    taken: set[int] = set()
    for _ in range(500):
        index = random_free_index(MIN_ENTRIES, taken)
        assert index not in taken
        taken.add(index)
    # Random, not sequential: 500 draws from 131,072 are nowhere near 0..499.
    assert max(taken) > 10_000


def test_a_nearly_full_list_still_finds_the_free_slot() -> None:
    taken = set(range(64)) - {41}
    assert random_free_index(64, taken) == 41
    with pytest.raises(StatusListError, match="full"):
        random_free_index(64, set(range(64)))


def test_credential_and_entry_shapes() -> None:
    doc = status_list_credential(
        list_url="https://assay.example/status/r1",
        issuer="did:web:assay.example",
        purpose="revocation",
        bitstring=Bitstring.zeros(),
        valid_from="2026-01-01T00:00:00Z",
        valid_until="2026-01-03T00:00:00Z",
        ttl_ms=300000,
    )
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["credentialSubject"]["encodedList"] == SPEC_EMPTY_LIST
    entry = status_entry(list_url="https://assay.example/status/r1", purpose="revocation", index=42)
    assert entry["statusListIndex"] == "42" and entry["id"].endswith("#42")
    with pytest.raises(ValueError, match="status purpose"):
        status_list_credential(
            list_url="u",
            issuer="i",
            purpose="expiry",
            bitstring=Bitstring.zeros(),
            valid_from="",
            valid_until="",
            ttl_ms=0,
        )
