"""Status-list indexes: random, unique, found with one indexed probe each, and still found when every
random probe lands on a taken index."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assay.services import statuslists
from assay.services.runtime import Runtime


def test_indexes_are_unique_and_the_fallback_finds_a_free_one(
    db: Session, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {statuslists.allocate(db, rt, credential_public_id=f"c{n}", purpose="revocation")[1] for n in range(50)}
    assert len(seen) == 50
    taken = next(iter(seen))
    monkeypatch.setattr(statuslists.secrets, "randbelow", lambda _n: taken)  # every probe collides
    _, index = statuslists.allocate(db, rt, credential_public_id="c-last", purpose="revocation")
    assert index not in seen
