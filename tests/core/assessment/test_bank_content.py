"""The shipped practice bank: valid, large enough, covering every control, without answer cues."""

from __future__ import annotations

from collections import Counter

import pytest

from assay.content import PRACTICE_ITEMS_DIR
from assay.core.items.bank import ItemBank, coverage, load_bank
from assay.core.items.model import ItemKind, Pool
from assay.core.standard.model import Standard


@pytest.fixture(scope="module")
def bank(default_standard: Standard) -> ItemBank:
    latest = default_standard.versions[-1]
    controls = {c.id: d.id for d in latest.domains for c in d.controls}
    result = load_bank(PRACTICE_ITEMS_DIR, controls=controls, standard="assay-pae", standard_version=latest.version)
    assert result.problems == [], "\n".join(map(str, result.problems[:20]))
    assert result.bank is not None
    return result.bank


def test_at_least_100_operational_practice_items(bank: ItemBank) -> None:
    assert len(bank.operational(Pool.PRACTICE)) >= 100


def test_every_control_of_the_latest_version_is_measured(bank: ItemBank, default_standard: Standard) -> None:
    latest = default_standard.versions[-1]
    counts = coverage(bank, [c.id for c in latest.controls()], Pool.PRACTICE)
    assert [c for c, n in counts.items() if n == 0] == []


def test_every_domain_can_fill_a_form(bank: ItemBank, default_standard: Standard) -> None:
    by_domain = bank.by_domain(Pool.PRACTICE)
    assert {d.id for d in default_standard.versions[-1].domains} <= set(by_domain)
    assert min(len(items) for items in by_domain.values()) >= 5


def test_all_four_kinds_are_used(bank: ItemBank) -> None:
    kinds = Counter(i.kind for i in bank.operational(Pool.PRACTICE))
    assert set(kinds) == set(ItemKind)


def test_no_answer_position_or_length_cue(bank: ItemBank) -> None:
    singles = [i for i in bank.operational(Pool.PRACTICE) if i.kind is ItemKind.SINGLE]
    positions = Counter(next(o.id for o in i.options if o.correct) for i in singles)
    assert max(positions.values()) <= 0.45 * len(singles), positions
    longest = sum(1 for i in singles if max(i.options, key=lambda o: len(o.text)).correct)
    assert longest <= 0.5 * len(singles), f"the correct option is the longest in {longest} of {len(singles)} items"


def test_every_option_explains_itself(bank: ItemBank) -> None:
    for item in bank.operational(Pool.PRACTICE):
        assert len(item.stem.split()) >= 30, item.id
        for option in item.options:
            assert len(option.rationale.split()) >= 6, (item.id, option.id)
