"""A team's readiness: per-domain distributions, the weakest domains and controls, and a heatmap.

Built from the members' stored profiles (the JSON shape of profile.profile_to_dict), never by
re-scoring. Below `min_group` submitted profiles nothing but counts is returned: with three people, a
"distribution" is three individuals' results with the names filed off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assay.core.scoring.profile import Level

#: No campaign may report a breakdown for fewer people than this, whatever its manager sets.
MIN_GROUP_FLOOR = 3
#: A control is ranked among the weakest only once this many members have met it.
MIN_CONTROL_EXPOSURE = 3
WEAKEST = 3  # domains listed as weakest
WEAKEST_CONTROLS = 5


@dataclass(frozen=True)
class MemberResult:
    """One member's submitted profile, reduced to what the roll-up reads."""

    member: str
    levels: Mapping[str, int]  # domain → Level index
    percents: Mapping[str, int]  # domain → chance on a medium scenario, 0–100
    indicative: frozenset[str]  # domains whose result is indicative only
    controls: Mapping[str, tuple[float, int]]  # control → (missed, items seen)
    at_target: bool | None = None  # every domain at or above the role's target

    @classmethod
    def from_profile(cls, member: str, profile: Mapping[str, Any]) -> MemberResult:
        levels: dict[str, int] = {}
        percents: dict[str, int] = {}
        indicative: set[str] = set()
        controls: dict[str, tuple[float, int]] = {}
        for d in profile["domains"]:
            levels[d["domain"]] = int(d["level_index"])
            percents[d["domain"]] = int(d["percent"])
            if d["indicative"]:
                indicative.add(d["domain"])
            for c in d["controls"]:
                missed, seen = controls.get(c["control"], (0.0, 0))
                controls[c["control"]] = (missed + float(c["missed"]), seen + len(c["items"]))
        percent_to_target = profile.get("percent_to_target")
        return cls(
            member=member,
            levels=levels,
            percents=percents,
            indicative=frozenset(indicative),
            controls=controls,
            at_target=None if percent_to_target is None else percent_to_target == 100,
        )


@dataclass(frozen=True)
class DomainDistribution:
    domain_id: str
    title: str
    n: int
    level_counts: tuple[int, int, int, int]  # Not yet, Developing, Ready, Advanced
    percent_quartiles: tuple[float, float, float, float, float]  # min, lower quartile, median, upper, max
    mean_percent: float
    at_or_above_target: int  # members at or above the role's target level in this domain
    target: int | None  # the role's target level index, if any


@dataclass(frozen=True)
class ControlWeakness:
    control_id: str
    members: int  # members who met it
    items: int
    miss_rate: float  # share of its items' credit missed, 0–1


@dataclass(frozen=True)
class TeamProfile:
    submitted: int
    min_group: int
    suppressed: bool  # fewer than min_group submitted: counts only
    domains: tuple[DomainDistribution, ...] = ()
    weakest_domains: tuple[str, ...] = ()
    weakest_controls: tuple[ControlWeakness, ...] = ()
    members_at_target: int = 0
    heatmap: tuple[tuple[str, tuple[int | None, ...]], ...] = ()  # (member, level per domain in order)


def quartiles(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    """Min, the quartiles and max, by linear interpolation between order statistics (numpy's default)."""
    if not values:
        raise ValueError("quartiles of nothing")
    ordered = sorted(values)

    def at(q: float) -> float:
        position = q * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return (ordered[0], at(0.25), at(0.5), at(0.75), ordered[-1])


def roll_up(
    members: Sequence[MemberResult],
    *,
    domains: Sequence[tuple[str, str]],
    min_group: int,
    target: Mapping[str, int] | None = None,
) -> TeamProfile:
    """The team profile over `domains` ((id, title), in the standard's order)."""
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"the minimum group size is at least {MIN_GROUP_FLOOR}")
    if len(members) < min_group:
        return TeamProfile(submitted=len(members), min_group=min_group, suppressed=True)
    target = target or {}
    distributions = []
    for domain_id, title in domains:
        levels = [m.levels[domain_id] for m in members if domain_id in m.levels]
        percents = [float(m.percents[domain_id]) for m in members if domain_id in m.percents]
        if not levels:
            continue
        counts = [0, 0, 0, 0]
        for level in levels:
            counts[level] += 1
        goal = target.get(domain_id)
        distributions.append(
            DomainDistribution(
                domain_id=domain_id,
                title=title,
                n=len(levels),
                level_counts=(counts[0], counts[1], counts[2], counts[3]),
                percent_quartiles=quartiles(percents),
                mean_percent=round(sum(percents) / len(percents), 1),
                at_or_above_target=sum(1 for level in levels if goal is not None and level >= goal),
                target=goal,
            )
        )
    weakest = sorted(distributions, key=lambda d: (d.percent_quartiles[2], d.mean_percent, d.domain_id))[:WEAKEST]
    totals: dict[str, list[float]] = {}
    for m in members:
        for control, (missed, seen) in m.controls.items():
            entry = totals.setdefault(control, [0.0, 0.0, 0.0])
            entry[0] += missed
            entry[1] += seen
            entry[2] += 1
    controls = [
        ControlWeakness(control, int(people), int(seen), round(missed / seen, 3))
        for control, (missed, seen, people) in totals.items()
        if people >= MIN_CONTROL_EXPOSURE and seen > 0
    ]
    controls.sort(key=lambda c: (-c.miss_rate, -c.members, c.control_id))
    order = [domain_id for domain_id, _ in domains]
    heatmap = tuple(
        (m.member, tuple(m.levels.get(domain_id) for domain_id in order))
        for m in sorted(members, key=lambda m: m.member.casefold())
    )
    return TeamProfile(
        submitted=len(members),
        min_group=min_group,
        suppressed=False,
        domains=tuple(distributions),
        weakest_domains=tuple(d.domain_id for d in weakest),
        weakest_controls=tuple(c for c in controls if c.miss_rate > 0)[:WEAKEST_CONTROLS],
        members_at_target=sum(1 for m in members if m.at_target),
        heatmap=heatmap,
    )


def team_to_dict(team: TeamProfile, *, with_heatmap: bool) -> dict[str, object]:
    """JSON-ready; the heatmap (one row per named member) only when asked for (managers)."""
    data: dict[str, object] = {
        "submitted": team.submitted,
        "min_group": team.min_group,
        "suppressed": team.suppressed,
        "levels": [level.label for level in Level],
    }
    if team.suppressed:
        return data
    data.update(
        {
            "members_at_target": team.members_at_target,
            "domains": [
                {
                    "domain": d.domain_id,
                    "title": d.title,
                    "n": d.n,
                    "level_counts": list(d.level_counts),
                    "percent": {
                        "min": d.percent_quartiles[0],
                        "q1": d.percent_quartiles[1],
                        "median": d.percent_quartiles[2],
                        "q3": d.percent_quartiles[3],
                        "max": d.percent_quartiles[4],
                        "mean": d.mean_percent,
                    },
                    "target": Level(d.target).label if d.target is not None else None,
                    "at_or_above_target": d.at_or_above_target,
                }
                for d in team.domains
            ],
            "weakest_domains": list(team.weakest_domains),
            "weakest_controls": [
                {"control": c.control_id, "members": c.members, "items": c.items, "miss_rate": c.miss_rate}
                for c in team.weakest_controls
            ],
        }
    )
    if with_heatmap:
        data["heatmap"] = [
            {"member": member, "levels": [None if v is None else Level(v).label for v in row]}
            for member, row in team.heatmap
        ]
    return data
