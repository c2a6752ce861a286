"""Team roll-up (distributions, suppression below the minimum group, weakest controls, heatmap) and the
comparison of two attempts across standard versions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.scoring.compare import compare, comparison_to_dict
from assay.core.scoring.team import MIN_GROUP_FLOOR, MemberResult, quartiles, roll_up, team_to_dict
from assay.core.standard.model import Standard

DOMAINS = (("IG", "Input governance"), ("OV", "Output validation"), ("RD", "Retrieval and data"))


def member(name: str, levels: dict[str, int], *, missed: float = 0.0) -> MemberResult:
    return MemberResult(
        member=name,
        levels=levels,
        percents={d: 20 + 25 * level for d, level in levels.items()},
        indicative=frozenset(),
        controls={"IG-01": (missed, 2), "OV-02": (0.0, 1)},
        at_target=all(level >= 2 for level in levels.values()),
    )


def test_quartiles_match_linear_interpolation() -> None:
    assert quartiles([1, 2, 3, 4, 5]) == (1, 2, 3, 4, 5)
    assert quartiles([10, 20]) == (10, 12.5, 15, 17.5, 20)
    assert quartiles([7]) == (7, 7, 7, 7, 7)
    with pytest.raises(ValueError, match="nothing"):
        quartiles([])


def test_small_groups_get_counts_only() -> None:
    people = [member(f"p{i}", {"IG": 1, "OV": 2, "RD": 3}) for i in range(4)]
    team = roll_up(people, domains=DOMAINS, min_group=5)
    assert team.suppressed and team.submitted == 4 and team.domains == () and team.heatmap == ()
    data = team_to_dict(team, with_heatmap=True)
    assert data == {"submitted": 4, "min_group": 5, "suppressed": True, "levels": data["levels"]}
    with pytest.raises(ValueError, match="at least"):
        roll_up(people, domains=DOMAINS, min_group=MIN_GROUP_FLOOR - 1)


def test_distribution_weakest_and_heatmap() -> None:
    people = [
        member("Ana", {"IG": 0, "OV": 2, "RD": 3}, missed=2.0),
        member("bo", {"IG": 1, "OV": 2, "RD": 3}, missed=1.0),
        member("Cy", {"IG": 1, "OV": 3, "RD": 2}, missed=1.0),
        member("Di", {"IG": 2, "OV": 1, "RD": 2}, missed=0.0),
        member("Ed", {"IG": 0, "OV": 2, "RD": 3}, missed=2.0),
    ]
    team = roll_up(people, domains=DOMAINS, min_group=5, target={"IG": 2, "OV": 2, "RD": 2})
    assert not team.suppressed
    ig = team.domains[0]
    assert ig.level_counts == (2, 2, 1, 0) and ig.n == 5
    assert ig.percent_quartiles[2] == 45  # the median member: level 1 → 45%
    assert ig.at_or_above_target == 1
    assert team.weakest_domains[0] == "IG"
    # IG-01: 6 of 10 item credits missed over five people; OV-02 never missed, so never listed.
    assert [(c.control_id, c.miss_rate, c.members) for c in team.weakest_controls] == [("IG-01", 0.6, 5)]
    assert team.members_at_target == 0
    assert [row[0] for row in team.heatmap] == ["Ana", "bo", "Cy", "Di", "Ed"]  # case-insensitive order
    assert team.heatmap[0][1] == (0, 2, 3)
    public = team_to_dict(team, with_heatmap=False)
    assert "heatmap" not in public
    manager = team_to_dict(team, with_heatmap=True)
    assert manager["heatmap"][0] == {"member": "Ana", "levels": ["Not yet", "Ready", "Advanced"]}  # type: ignore[index]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=3, max_size=40))
def test_level_counts_always_add_up(rows: list[list[int]]) -> None:
    people = [member(f"m{i}", dict(zip(("IG", "OV", "RD"), row, strict=True))) for i, row in enumerate(rows)]
    team = roll_up(people, domains=DOMAINS, min_group=3)
    for d in team.domains:
        assert sum(d.level_counts) == len(rows)
        low, q1, median, q3, high = d.percent_quartiles
        assert low <= q1 <= median <= q3 <= high


def _profile(percents: dict[str, tuple[int, int, int]]) -> dict[str, Any]:
    return {
        "domains": [
            {"domain": d, "level": "Ready", "percent": p, "percent_interval": [lo, hi]}
            for d, (p, lo, hi) in percents.items()
        ]
    }


def test_comparison_on_one_version_separates_real_moves_from_noise(default_standard: Standard) -> None:
    v = default_standard.versions[-1]
    before = _profile({d.id: (50, 30, 70) for d in v.domains})
    after = _profile({d.id: (50, 30, 70) for d in v.domains} | {"IG": (90, 75, 97), "OV": (60, 40, 78)})
    result = compare(before, after, before_version=v, after_version=v)
    moves = {m.domain_id: m for m in result.domains}
    assert result.same_version
    assert moves["IG"].change == 40 and moves["IG"].beyond_uncertainty
    assert moves["OV"].change == 10 and not moves["OV"].beyond_uncertainty
    assert "not a real change" in moves["OV"].reading
    assert moves["RD"].reading == "No change."
    assert all(not m.standard_changes for m in result.domains)


def test_comparison_across_versions_names_what_the_standard_changed(default_standard: Standard) -> None:
    old, new = default_standard.versions[0], default_standard.versions[-1]
    before = _profile({d.id: (40, 20, 60) for d in old.domains})
    after = _profile({d.id: (80, 65, 92) for d in new.domains})
    result = compare(before, after, before_version=old, after_version=new)
    moves = {m.domain_id: m for m in result.domains}
    assert not result.same_version and (result.before_version, result.after_version) == ("1.0", "1.1")
    # 1.1 split IA-03 into IA-06 and IA-07, retired OBS-05 for OBS-06 and reworded HO-02.
    assert any("IA-03 split into IA-06, IA-07" in c for c in moves["IA"].standard_changes)
    assert {"OBS-06 added", "OBS-05 retired"} <= set(moves["OBS"].standard_changes)
    assert any(c.startswith("HO-02 reworded") for c in moves["HO"].standard_changes)
    assert "may be the standard itself" in moves["IA"].reading
    assert moves["IG"].standard_changes == () and "standard" not in moves["IG"].reading
    data = comparison_to_dict(result)
    assert data["before_version"] == "1.0" and len(data["domains"]) == len(new.domains)  # type: ignore[arg-type]
