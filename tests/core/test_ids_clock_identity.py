"""Identifiers, the clock and the issuer DID."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from assay.core.clock import FrozenClock, SystemClock
from assay.core.identity import did_web_for
from assay.core.ids import TOKEN_BITS, new_id, new_token, token_digest


def test_ids_sort_by_creation_time() -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    ids = [new_id(start + timedelta(milliseconds=i)) for i in range(200)]
    assert ids == sorted(ids)
    assert all(len(i) == 26 for i in ids)
    assert len(set(ids)) == 200


def test_ids_in_the_same_millisecond_differ() -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    assert len({new_id(at) for _ in range(1000)}) == 1000


def test_tokens_carry_at_least_128_random_bits_and_are_url_safe() -> None:
    assert TOKEN_BITS >= 128
    tokens = {new_token() for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_tokens_never_start_like_a_command_line_option() -> None:
    # One token in 32 would start with "-" or "_" if drawn plainly; 3000 draws would all but surely show one.
    assert not [token for token in (new_token() for _ in range(3000)) if token[0] in "-_"]


def test_token_digest_is_sha256_hex() -> None:
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(hours=2)
    assert clock.now() == datetime(2026, 1, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 1, 1))


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("https://assay.example.org", "did:web:assay.example.org"),
        ("https://assay.example.org/", "did:web:assay.example.org"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://example.org/registry/v1", "did:web:example.org:registry:v1"),
    ],
)
def test_did_web_from_base_url(base_url: str, did: str) -> None:
    assert did_web_for(base_url) == did


def test_ids_from_a_clock_that_stands_still_still_increase() -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    ids = [new_id(at) for _ in range(100)]
    assert ids == sorted(ids) and len(set(ids)) == 100


def test_memory_rate_limiter_fake_keeps_the_same_windows() -> None:
    from assay.services.ratelimit import MemoryRateLimiter

    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = MemoryRateLimiter(clock)
    verdicts = [limiter.hit(None, "k", limit=2, window_seconds=60) for _ in range(3)]  # type: ignore[arg-type]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert not limiter.peek(None, "k", limit=2, window_seconds=60).allowed  # type: ignore[arg-type]
    limiter.reset(None, "k")  # type: ignore[arg-type]
    assert limiter.peek(None, "k", limit=2, window_seconds=60).allowed  # type: ignore[arg-type]
    clock.advance(seconds=60)
    assert limiter.hit(None, "k", limit=2, window_seconds=60).count == 1  # type: ignore[arg-type]
