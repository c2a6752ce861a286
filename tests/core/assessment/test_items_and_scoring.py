"""Items, partial credit, domain ability, readiness, calibration and gaps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assay.core.items.blueprint import FormAssemblyError, assemble, stratified_blueprint
from assay.core.items.model import ItemKind, Pool
from assay.core.scoring.ability import Evidence, posterior
from assay.core.scoring.profile import Answered, Level, build_profile, level_of
from assay.core.scoring.responses import AnswerError, score
from assay.core.standard.model import Standard
from tests.core.assessment.conftest import make_item


def test_public_view_carries_no_key_or_rationale() -> None:
    view = make_item().public_view()
    assert all(set(o) == {"id", "text"} for o in view["options"])
    assert "rationale" not in str(view) and "correct" not in str(view)


@pytest.mark.parametrize(
    ("kind", "mutate", "message"),
    [
        ("single", lambda o: [{**x, "correct": True} for x in o], "exactly one correct"),
        ("multiple", lambda o: [{**x, "correct": x["id"] == "a"} for x in o], "at least two correct"),
        ("ordering", lambda o: [{**x, "position": 1} for x in o], "distinct position"),
    ],
)
def test_keys_must_fit_the_kind(kind: str, mutate: object, message: str) -> None:
    item = make_item(kind=kind)
    data = item.model_dump(mode="json")
    data["options"] = mutate(data["options"])  # type: ignore[operator]
    with pytest.raises(ValidationError, match=message):
        type(item).model_validate(data)


def test_partial_credit_rules() -> None:
    single, multiple, ordering = make_item(), make_item(kind="multiple"), make_item(kind="ordering")
    assert score(single, ["b"]) == 1 and score(single, ["a"]) == 0
    assert score(multiple, ["a", "c"]) == 1
    assert score(multiple, ["a"]) == 0.5
    assert score(multiple, ["a", "b"]) == 0  # a wrong mark cancels a right one
    assert score(multiple, list("abcde")) == 0  # marking everything earns nothing
    assert ordering.key == ("b", "d", "a", "c")
    assert score(ordering, ["b", "d", "a", "c"]) == 1
    assert score(ordering, ["c", "a", "d", "b"]) == 0
    assert score(ordering, ["d", "b", "a", "c"]) == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    ("kind", "answer"), [("single", ["a", "b"]), ("single", ["z"]), ("multiple", ["a", "a"]), ("ordering", ["a", "b"])]
)
def test_answers_that_do_not_fit_are_refused(kind: str, answer: list[str]) -> None:
    with pytest.raises(AnswerError):
        score(make_item(kind=kind), answer)


scores = st.lists(st.floats(min_value=0, max_value=1), min_size=0, max_size=15)
difficulties = st.sampled_from([-1.0, 0.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(min_value=0, max_value=1), difficulties), max_size=15),
    st.integers(min_value=0, max_value=14),
)
def test_ability_is_monotone_in_correct_answers(evidence: list[tuple[float, float]], index: int) -> None:
    if not evidence:
        return
    index %= len(evidence)
    base = [Evidence(s, b) for s, b in evidence]
    better = list(base)
    better[index] = Evidence(1.0, base[index].difficulty)
    worse = list(base)
    worse[index] = Evidence(0.0, base[index].difficulty)
    assert posterior(worse).mean <= posterior(base).mean + 1e-9 <= posterior(better).mean + 2e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(min_value=0, max_value=1), difficulties), max_size=25))
def test_ability_is_bounded_and_its_interval_contains_it(evidence: list[tuple[float, float]]) -> None:
    a = posterior([Evidence(s, b) for s, b in evidence])
    assert -4 <= a.low <= a.mean <= a.high <= 4
    assert 0 <= a.percent <= 100


def test_intervals_narrow_as_evidence_grows() -> None:
    widths = []
    for n in (0, 2, 5, 10, 20, 40):
        a = posterior([Evidence(1.0 if i % 2 else 0.0, 0.0) for i in range(n)])
        widths.append(a.high - a.low)
    assert widths == sorted(widths, reverse=True)
    assert widths[0] == pytest.approx(2 * 1.645, abs=0.05)  # the prior's 90% interval


def test_hard_items_count_for_more_than_easy_ones() -> None:
    assert posterior([Evidence(1.0, 1.0)] * 3).mean > posterior([Evidence(1.0, -1.0)] * 3).mean


def test_thresholds() -> None:
    assert [level_of(t) for t in (-2, -0.5, 0.49, 0.5, 1.49, 1.5)] == [
        Level.NOT_YET,
        Level.DEVELOPING,
        Level.DEVELOPING,
        Level.READY,
        Level.READY,
        Level.ADVANCED,
    ]


def test_profile_calibration_and_gaps(default_standard: Standard) -> None:
    version = default_standard.versions[-1]
    right = [Answered(make_item(f"IG-P-{n:03d}", controls=("IG-01",)), 1.0, 0.9) for n in range(1, 6)]
    wrong = [Answered(make_item(f"HO-P-{n:03d}", controls=("HO-02",)), 0.0, 0.9) for n in range(1, 6)]
    profile = build_profile(
        right + wrong,
        version=version,
        self_ratings={"IG": 2, "HO": 3},
        target_role="approver",
        target={"IG": 2, "HO": 2},
    )
    domains = {d.domain_id: d for d in profile.domains}
    assert domains["IG"].level >= Level.READY and not domains["IG"].indicative
    assert domains["HO"].level == Level.NOT_YET and domains["HO"].self_gap == 3
    assert domains["AT"].indicative  # nothing seen: shown, but only as indicative
    assert profile.calibration.brier == pytest.approx((5 * 0.01 + 5 * 0.81) / 10)
    assert profile.calibration.overconfidence == pytest.approx(0.4)
    [gap] = profile.gaps
    assert gap.domain_id == "HO" and gap.controls[0][0] == "HO-02"  # the missed control leads
    assert gap.controls[0][2]  # with the level-2 criteria it must meet
    assert profile.percent_to_target == 50


def test_form_assembly_is_stratified_reproducible_and_timed() -> None:
    domains = ["IG", "OV", "RD", "DR", "OBS"]
    bank = {
        d: [
            make_item(f"{d}-P-{n:03d}", controls=(f"{d}-0{n % 5 + 1}",), kind=("single" if n % 4 else "multiple"))
            for n in range(1, 9)
        ]
        for d in domains
    }
    blueprint = stratified_blueprint(domains, total=25)
    form = assemble(blueprint, bank, seed="attempt-1", standard="assay-pae", standard_version="1.1")
    assert len(form.item_refs) == 25 and form.minutes <= 30
    assert form == assemble(blueprint, bank, seed="attempt-1", standard="assay-pae", standard_version="1.1")
    assert (
        form.item_refs
        != assemble(blueprint, bank, seed="attempt-2", standard="assay-pae", standard_version="1.1").item_refs
    )
    first_five = [ref.split("-")[0] for ref in form.item_refs[:5]]
    assert sorted(first_five) == sorted(domains)  # interleaved, not in domain blocks
    with pytest.raises(FormAssemblyError, match="needs 6"):
        assemble(
            stratified_blueprint(domains, total=30),
            {d: items[:5] for d, items in bank.items()},
            seed="x",
            standard="s",
            standard_version="1",
        )


def test_practice_items_never_reach_a_secure_form() -> None:
    bank = {"IG": [make_item(f"IG-P-{n:03d}") for n in range(1, 6)]}
    blueprint = stratified_blueprint(["IG"], total=3, pool=Pool.SECURE, blueprint_id="exam")
    with pytest.raises(FormAssemblyError):
        assemble(blueprint, bank, seed="s", standard="s", standard_version="1")
    assert ItemKind("defects") is ItemKind.DEFECTS
