"""The psychometrics against independent implementations (pingouin, scikit-learn, krippendorff):
the expected values are fixtures written by tests/fixtures/psychometrics/make_fixtures.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from assay.core.certification.stats import (
    analyse,
    angoff_cut,
    cohen_kappa_quadratic,
    krippendorff_alpha_ordinal,
    promotion_problems,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "psychometrics"
TOL = 1e-9


@pytest.fixture(scope="module")
def item_data() -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / "item_analysis.json").read_text())


def test_item_analysis_equals_pingouin_and_the_definitions(item_data: dict) -> None:  # type: ignore[type-arg]
    items = item_data["items"]
    choices = {item: [row[j] for row in item_data["choices"]] for j, item in enumerate(items)}
    stats = analyse(
        np.array(item_data["scores"], dtype=float),
        items,
        item_data["scored"],
        choices=choices,
        keys=dict.fromkeys(items, frozenset({"a"})),
    )
    expected = item_data["expected"]
    assert stats.alpha == pytest.approx(expected["alpha"], abs=TOL)
    assert stats.sd == pytest.approx(expected["sd"], abs=TOL)
    assert stats.sem == pytest.approx(expected["sem"], abs=TOL)
    assert stats.mean == pytest.approx(expected["mean"], abs=TOL)
    assert stats.candidates == 320 and stats.items == 12
    for got, want in zip(stats.item_stats, expected["items"], strict=True):
        assert got.item == want["item"]
        for name in ("facility", "item_rest", "point_biserial", "upper_lower_d", "discriminative_efficiency"):
            assert getattr(got, name) == pytest.approx(want[name], abs=TOL), (got.item, name)
        assert got.discrimination_index == pytest.approx(100 * want["item_rest"], abs=1e-7)
        assert set(got.distractors) == set(want["distractors"])
        for option, shares in want["distractors"].items():
            assert got.distractors[option] == pytest.approx(tuple(shares), abs=TOL)


def test_flags_name_the_items_that_do_not_measure(item_data: dict) -> None:  # type: ignore[type-arg]
    items = item_data["items"]
    stats = analyse(np.array(item_data["scores"], dtype=float), items, item_data["scored"])
    flat, reversed_ = stats.item_stats[-2], stats.item_stats[-1]  # generated with no and negative discrimination
    assert any("item–rest" in f or "discrimination" in f for f in flat.flags)
    assert any("negative" in f for f in reversed_.flags)
    assert promotion_problems(reversed_)  # and a pilot item like it can never be promoted
    assert all(
        not s.flags
        or s.item in {flat.item, reversed_.item}
        or s.facility < 0.2
        or s.facility > 0.9
        or s.item_rest < 0.2
        for s in stats.item_stats
    )


def test_krippendorff_alpha_ordinal_equals_the_krippendorff_package() -> None:
    data = json.loads((FIXTURES / "agreement.json").read_text())
    rows = data["reliability_data"]
    units = [[row[u] for row in rows if row[u] is not None] for u in range(len(rows[0]))]
    assert krippendorff_alpha_ordinal(units) == pytest.approx(data["alpha_ordinal"], abs=TOL)


def test_weighted_kappa_equals_scikit_learn() -> None:
    pair = json.loads((FIXTURES / "agreement.json").read_text())["pair"]
    assert cohen_kappa_quadratic(pair["a"], pair["b"]) == pytest.approx(pair["kappa_quadratic"], abs=TOL)


def test_agreement_edges() -> None:
    assert krippendorff_alpha_ordinal([[3, 3], [2, 2], [4, 4], [1, 1]]) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha_ordinal([[3], [2]]))  # nothing pairable
    assert math.isnan(krippendorff_alpha_ordinal([[3, 3], [3, 3]]))  # no variation: alpha undefined
    assert cohen_kappa_quadratic([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert math.isnan(cohen_kappa_quadratic([], []))


def test_angoff_cut_is_the_mean_of_judges_sums_with_its_standard_error() -> None:
    ratings = {
        "j1": {"a": 0.6, "b": 0.7, "c": 0.5},
        "j2": {"a": 0.8, "b": 0.6, "c": 0.7},
        "j3": {"a": 0.5, "b": 0.5, "c": 0.6},
    }
    result = angoff_cut(ratings, ["a", "b", "c"])
    sums = [1.8, 2.1, 1.6]
    assert result.judge_cuts == pytest.approx(dict(zip(("j1", "j2", "j3"), sums, strict=True)))
    assert result.cut == pytest.approx(sum(sums) / 3)
    assert result.se == pytest.approx(float(np.std(sums, ddof=1)) / math.sqrt(3))
    assert result.cut_percent == pytest.approx(100 * (sum(sums) / 3) / 3)
    with pytest.raises(ValueError, match="not rated"):
        angoff_cut({"j1": {"a": 0.5}}, ["a", "b"])
