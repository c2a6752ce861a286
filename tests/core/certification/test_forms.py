"""Form assembly, as properties over random pools: the blueprint is met, overlap is bounded, the
forms' difficulty is matched as far as the pool allows, and no practice item is ever selected."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.core.certification.forms import FormAssemblyError, assemble_forms, facility, overlap, quotas
from assay.core.items.model import Item
from tests.core.assessment.conftest import make_item

DOMAINS = ("IG", "OV", "RD", "DR", "OBS")
DIFFICULTY = ("easy", "medium", "hard")


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[Item], dict[str, float]]:
    domains = draw(st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=5, unique=True))
    items: list[Item] = []
    for d in domains:
        n = draw(st.integers(0, 14))
        for k in range(n):
            pool = draw(st.sampled_from(["secure", "secure", "secure", "practice"]))
            status = draw(st.sampled_from(["operational", "operational", "operational", "pilot", "draft", "retired"]))
            items.append(
                make_item(
                    f"{d}-{'S' if pool == 'secure' else 'P'}-{k:03d}",
                    difficulty=draw(st.sampled_from(DIFFICULTY)),
                    controls=(f"{d}-01",),
                    status=status,
                    pool=pool,
                )
            )
    weights = {d: float(draw(st.integers(1, 5))) for d in domains}
    return items, weights


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=pools(),
    length=st.integers(3, 25),
    forms=st.integers(1, 3),
    max_overlap=st.integers(0, 4),
    pilots=st.integers(0, 3),
    seed=st.text(max_size=8),
)
def test_assembly_meets_the_blueprint_or_says_why_not(
    pool: tuple[list[Item], dict[str, float]], length: int, forms: int, max_overlap: int, pilots: int, seed: str
) -> None:
    items, weights = pool
    by_id = {i.id: i for i in items}
    try:
        made = assemble_forms(
            items,
            programme_id="p",
            standard_version="1.1",
            blueprint=weights,
            length=length,
            forms=forms,
            max_overlap=max_overlap,
            pilot_per_form=pilots,
            seed=seed,
        )
    except FormAssemblyError as exc:
        refusal: str | None = str(exc)
    else:
        refusal = None
    if refusal is not None:
        assert refusal  # a reason a person can act on
        need = quotas(weights, length)
        usable = Counter(i.domain for i in items if i.pool.value == "secure" and i.status.value == "operational")
        usable_pilots = sum(1 for i in items if i.pool.value == "secure" and i.status.value == "pilot")
        # It may only refuse when the pool is short, or when the forms would overlap beyond the bound.
        assert (
            any(usable[d] < n for d, n in need.items())
            or usable_pilots < pilots
            or any(usable[d] < n * forms for d, n in need.items())
        )
        return
    quota = quotas(weights, length)
    assert len(made) == forms
    for form in made:
        scored = [by_id[r.split("@")[0]] for r in form.scored]
        pilot = [by_id[r.split("@")[0]] for r in form.pilot]
        assert Counter(i.domain for i in scored) == Counter({d: n for d, n in quota.items() if n})
        assert len(set(form.scored)) == len(form.scored) == length
        assert all(i.pool.value == "secure" and i.status.value == "operational" for i in scored)
        assert all(i.pool.value == "secure" and i.status.value == "pilot" for i in pilot)
        assert sorted(form.order) == sorted(form.scored + form.pilot) and form.order[0] not in form.pilot
    for a, b in combinations(made, 2):
        assert overlap(a, b) <= max_overlap


def _bank(per_domain: int) -> list[Item]:
    out = []
    for d in DOMAINS:
        for k in range(per_domain):
            out.append(make_item(f"{d}-S-{k:03d}", difficulty=DIFFICULTY[k % 3], controls=(f"{d}-01",), pool="secure"))
    return out


def test_parallel_forms_from_a_balanced_pool_have_matched_difficulty() -> None:
    items = _bank(12)
    made = assemble_forms(
        items,
        programme_id="p",
        standard_version="1.1",
        blueprint=dict.fromkeys(DOMAINS, 1.0),
        length=20,
        forms=3,
        max_overlap=0,
        seed="x",
    )
    means = [f.mean_facility for f in made]
    assert max(means) - min(means) < 0.011  # one item's swing (0.2 / 20)
    pooled = sum(facility(i, {}) for i in items) / len(items)
    assert all(abs(m - pooled) < 0.05 for m in means)


def test_measured_facility_replaces_the_writers_band() -> None:
    items = _bank(4)
    measured = {i.id: 0.95 for i in items if i.domain == "IG"}
    [form] = assemble_forms(
        items,
        programme_id="p",
        standard_version="1.1",
        blueprint={"IG": 1.0},
        length=4,
        forms=1,
        max_overlap=0,
        seed="x",
        measured=measured,
    )
    assert form.mean_facility == 0.95


def test_items_at_their_exposure_cap_rest() -> None:
    items = _bank(6)
    exposure = {i.id: 100 for i in items if i.domain == "IG"}
    with pytest.raises(FormAssemblyError, match="exposure cap"):  # every item of the domain reached the cap
        assemble_forms(
            items,
            programme_id="p",
            standard_version="1.1",
            blueprint={"IG": 1.0},
            length=2,
            forms=1,
            max_overlap=0,
            seed="x",
            exposure=exposure,
            exposure_cap=100,
        )
    exposure = {f"IG-S-{k:03d}": 100 for k in range(3)}
    [form] = assemble_forms(
        items,
        programme_id="p",
        standard_version="1.1",
        blueprint={"IG": 1.0},
        length=3,
        forms=1,
        max_overlap=0,
        seed="x",
        exposure=exposure,
        exposure_cap=100,
    )
    assert not {r.split("@")[0] for r in form.scored} & set(exposure)


def test_quotas_apportion_by_largest_remainder() -> None:
    assert quotas({"A": 6, "B": 8, "C": 8, "D": 5}, 60) == {"A": 13, "B": 18, "C": 18, "D": 11}
    assert sum(quotas({"A": 1, "B": 1, "C": 1}, 10).values()) == 10
