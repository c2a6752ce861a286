"""The readiness profile: a level per domain with its interval, the calibration gap, and the gaps to
close against a role's target, in priority order.

Readiness thresholds on domain ability θ (see ability.py), documented in docs/assessment.md:
  Not yet     θ < −0.5   (below about a one-in-three chance on a medium scenario)
  Developing  −0.5 ≤ θ < 0.5
  Ready       0.5 ≤ θ < 1.5   (meets the standard at maturity level 2)
  Advanced    θ ≥ 1.5         (maturity level 3)
A domain is *indicative* when fewer than 3 scored items touched it or its 90% interval spans more
than 2.5 on the θ scale: the level is shown, but not as a finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from assay.core.items.model import Item
from assay.core.scoring.ability import DIFFICULTY, DISCRIMINATION, Ability, Evidence, posterior
from assay.core.standard.model import Version

MIN_ITEMS = 3
MAX_WIDTH = 2.5


class Level(IntEnum):
    NOT_YET = 0
    DEVELOPING = 1
    READY = 2
    ADVANCED = 3

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


THRESHOLDS = ((Level.ADVANCED, 1.5), (Level.READY, 0.5), (Level.DEVELOPING, -0.5))


def floor_percent(level: int) -> int:
    """The chance on a medium scenario at the bottom of a level: where a target sits on the percent scale."""
    floors = {int(lvl): theta for lvl, theta in THRESHOLDS}
    if level not in floors:
        return 0
    return round(100 / (1 + math.exp(-DISCRIMINATION * floors[level])))


def level_of(theta: float) -> Level:
    for level, floor in THRESHOLDS:
        if theta >= floor:
            return level
    return Level.NOT_YET


@dataclass(frozen=True)
class Answered:
    item: Item
    score: float
    confidence: float | None = None  # the candidate's stated probability of being right


@dataclass(frozen=True)
class ControlEvidence:
    control_id: str
    items: tuple[str, ...]
    missed: float  # sum over its items of (1 − score)


@dataclass(frozen=True)
class DomainResult:
    domain_id: str
    title: str
    ability: Ability
    level: Level
    indicative: bool
    self_rating: Level | None
    controls: tuple[ControlEvidence, ...]

    @property
    def self_gap(self) -> int | None:
        """Self-rated minus assessed level: positive is the competence illusion."""
        return None if self.self_rating is None else int(self.self_rating) - int(self.level)


@dataclass(frozen=True)
class Calibration:
    answered_with_confidence: int
    brier: float | None  # mean squared difference between stated confidence and score; 0 is perfect
    overconfidence: float | None  # mean confidence minus mean score; positive is overconfident
    self_gap_mean: float | None  # mean over domains of self-rated minus assessed level


@dataclass(frozen=True)
class Gap:
    domain_id: str
    title: str
    assessed: Level
    target: Level
    indicative: bool
    controls: tuple[tuple[str, str, tuple[str, ...]], ...]  # (control id, title, criteria to reach the target)


@dataclass(frozen=True)
class Profile:
    domains: tuple[DomainResult, ...]
    calibration: Calibration
    gaps: tuple[Gap, ...] = ()
    target_role: str | None = None
    percent_to_target: int | None = None
    notes: tuple[str, ...] = field(default=())


def build_profile(
    answered: Sequence[Answered],
    *,
    version: Version,
    self_ratings: Mapping[str, int] | None = None,
    target_role: str | None = None,
    target: Mapping[str, int] | None = None,
) -> Profile:
    self_ratings = self_ratings or {}
    by_domain: dict[str, list[Answered]] = {}
    for a in answered:
        by_domain.setdefault(a.item.domain, []).append(a)
    results = []
    for domain in version.domains:
        seen = by_domain.get(domain.id, [])
        ability = posterior([Evidence(a.score, DIFFICULTY[a.item.difficulty.value]) for a in seen])
        evidence: dict[str, list[Answered]] = {}
        for a in seen:
            for control in a.item.controls:
                evidence.setdefault(control, []).append(a)
        controls = tuple(
            sorted(
                (
                    ControlEvidence(c, tuple(x.item.id for x in xs), round(sum(1 - x.score for x in xs), 3))
                    for c, xs in evidence.items()
                ),
                key=lambda ce: (-ce.missed, ce.control_id),
            )
        )
        rating = self_ratings.get(domain.id)
        results.append(
            DomainResult(
                domain.id,
                domain.title,
                ability,
                level_of(ability.mean),
                ability.items < MIN_ITEMS or (ability.high - ability.low) > MAX_WIDTH,
                Level(rating) if rating is not None else None,
                controls,
            )
        )
    calibration = _calibration(answered, results)
    gaps: tuple[Gap, ...] = ()
    percent = None
    if target:
        gaps = _gaps(results, target, version)
        met = sum(1 for r in results if r.domain_id in target and r.level >= target[r.domain_id])
        percent = round(100 * met / len(target)) if target else None
    return Profile(tuple(results), calibration, gaps, target_role, percent)


def _calibration(answered: Sequence[Answered], results: Sequence[DomainResult]) -> Calibration:
    rated = [a for a in answered if a.confidence is not None]
    brier = overconfidence = None
    if rated:
        brier = round(sum((float(a.confidence or 0) - a.score) ** 2 for a in rated) / len(rated), 4)
        overconfidence = round(
            sum(float(a.confidence or 0) for a in rated) / len(rated) - sum(a.score for a in rated) / len(rated), 4
        )
    gaps = [r.self_gap for r in results if r.self_gap is not None]
    return Calibration(len(rated), brier, overconfidence, round(sum(gaps) / len(gaps), 2) if gaps else None)


def _gaps(results: Sequence[DomainResult], target: Mapping[str, int], version: Version) -> tuple[Gap, ...]:
    gaps = []
    for r in results:
        wanted = Level(target.get(r.domain_id, 0))
        if r.level >= wanted:
            continue
        domain = version.domain(r.domain_id)
        assert domain is not None
        maturity_level = min(3, max(1, int(wanted)))  # Ready asks for maturity level 2, Advanced for 3
        touched = [ce.control_id for ce in r.controls if ce.missed > 0]
        untouched = [c.id for c in domain.controls if c.id not in {ce.control_id for ce in r.controls}]
        entries = []
        for control_id in touched + untouched:
            control = version.control(control_id)
            if control is None:
                continue
            criteria = next((m.criteria for m in control.maturity if m.level == maturity_level), ())
            entries.append((control.id, control.title, tuple(criteria)))
        gaps.append(Gap(r.domain_id, r.title, r.level, wanted, r.indicative, tuple(entries)))
    # Largest shortfall first; among equals, the firmer finding (not indicative) first.
    return tuple(sorted(gaps, key=lambda g: (-(int(g.target) - int(g.assessed)), g.indicative, g.domain_id)))


SCORING_MODEL = "2pl-grid-v1"


def profile_to_dict(profile: Profile) -> dict[str, object]:
    """The profile as JSON-ready data: the shape of the report API and the stored result."""
    return {
        "scoring_model": SCORING_MODEL,
        "target_role": profile.target_role,
        "percent_to_target": profile.percent_to_target,
        "domains": [
            {
                "domain": d.domain_id,
                "title": d.title,
                "level": d.level.label,
                "level_index": int(d.level),
                "indicative": d.indicative,
                "ability": round(d.ability.mean, 3),
                "interval": [round(d.ability.low, 3), round(d.ability.high, 3)],
                "credible_level": d.ability.level,
                "percent": d.ability.percent,
                "percent_interval": [d.ability.percent_of(d.ability.low), d.ability.percent_of(d.ability.high)],
                "items": d.ability.items,
                "self_rating": int(d.self_rating) if d.self_rating is not None else None,
                "self_gap": d.self_gap,
                "controls": [{"control": c.control_id, "items": list(c.items), "missed": c.missed} for c in d.controls],
            }
            for d in profile.domains
        ],
        "calibration": {
            "answered_with_confidence": profile.calibration.answered_with_confidence,
            "brier": profile.calibration.brier,
            "overconfidence": profile.calibration.overconfidence,
            "self_gap_mean": profile.calibration.self_gap_mean,
        },
        "gaps": [
            {
                "domain": g.domain_id,
                "title": g.title,
                "assessed": g.assessed.label,
                "target": g.target.label,
                "indicative": g.indicative,
                "controls": [{"control": c, "title": t, "criteria": list(k)} for c, t, k in g.controls],
            }
            for g in profile.gaps
        ],
    }
