"""Exam forms: parallel forms assembled from the secure pool to a programme's blueprint.

What an assembly guarantees, and the property tests check:

- each form has exactly the blueprint's quota of scored items in every domain;
- every scored item is operational and from the secure pool; pilot items are pilot and secure;
  a practice item (its rationale public) can never be selected;
- any two forms share at most `max_overlap` scored items (0 means disjoint forms);
- the forms' mean difficulty is matched: items are dealt to forms difficulty band by difficulty
  band, so every form gets the same mix as far as the pool allows;
- items that reached their exposure cap rest: they are not drawn while others can fill the quota.

Difficulty is an item's facility (share answering correctly) when it has been measured, and the
writer's nominal band (easy 0.8, medium 0.6, hard 0.4) until then.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from assay.core.items.model import Difficulty, Item, ItemKind, ItemStatus, Pool

NOMINAL_FACILITY = {Difficulty.EASY: 0.8, Difficulty.MEDIUM: 0.6, Difficulty.HARD: 0.4}
#: Minutes a candidate needs per item of each kind under exam conditions (reading included).
EXAM_MINUTES = {ItemKind.SINGLE: 1.2, ItemKind.MULTIPLE: 1.5, ItemKind.ORDERING: 1.6, ItemKind.DEFECTS: 2.0}


class FormAssemblyError(ValueError):
    pass


@dataclass(frozen=True)
class ExamForm:
    id: str  # content-addressed: programme, version and the pinned refs
    programme_id: str
    standard_version: str
    scored: tuple[str, ...]  # "<id>@<version>" of scored items
    pilot: tuple[str, ...]  # unscored pilot items
    order: tuple[str, ...]  # presentation order: scored and pilot interleaved
    mean_facility: float
    minutes_needed: float


def quotas(blueprint: Mapping[str, float], total: int) -> dict[str, int]:
    """Largest-remainder apportionment of `total` items over the domain weights."""
    weight = sum(blueprint.values())
    raw = {d: total * w / weight for d, w in blueprint.items()}
    out = {d: int(v) for d, v in raw.items()}
    short = total - sum(out.values())
    for d in sorted(raw, key=lambda d: (-(raw[d] - out[d]), d))[:short]:
        out[d] += 1
    return out


def facility(item: Item, measured: Mapping[str, float]) -> float:
    return measured.get(item.id, NOMINAL_FACILITY[item.difficulty])


def assemble_forms(
    items: Sequence[Item],
    *,
    programme_id: str,
    standard_version: str,
    blueprint: Mapping[str, float],
    length: int,
    forms: int,
    max_overlap: int,
    pilot_per_form: int = 0,
    seed: str,
    exposure: Mapping[str, int] | None = None,
    exposure_cap: int | None = None,
    measured: Mapping[str, float] | None = None,
) -> list[ExamForm]:
    exposure = exposure or {}
    measured = measured or {}
    rng = random.Random(hashlib.sha256(f"{programme_id}|{standard_version}|{seed}".encode()).digest())
    secure = [i for i in items if i.pool is Pool.SECURE]
    operational = [i for i in secure if i.status is ItemStatus.OPERATIONAL]
    pilots = [i for i in secure if i.status is ItemStatus.PILOT]
    quota = quotas(blueprint, length)
    dealt: list[list[Item]] = [[] for _ in range(forms)]
    spare: list[Item] = []
    for domain, need in quota.items():
        pool = [i for i in operational if i.domain == domain]
        fresh = [i for i in pool if exposure_cap is None or exposure.get(i.id, 0) < exposure_cap]
        if len(fresh) < need:
            raise FormAssemblyError(
                f"domain {domain} has {len(fresh)} secure operational items below their exposure cap; a form needs {need}"
            )
        for f, chosen in enumerate(_deal(fresh, need, forms, rng, measured)):
            dealt[f].extend(chosen)
        spare += [i for i in fresh if not any(i in f for f in dealt)]
    _balance(dealt, spare, measured)
    _check_overlap(dealt, max_overlap)
    pilot_sets = _deal_pilots(pilots, pilot_per_form, forms, rng)
    out = []
    for scored, pilot in zip(dealt, pilot_sets, strict=True):
        order = _interleave(scored, pilot, rng)
        refs = tuple(i.ref for i in scored)
        pilot_refs = tuple(i.ref for i in pilot)
        digest = hashlib.sha256("|".join((programme_id, standard_version, *refs, "+", *pilot_refs)).encode())
        out.append(
            ExamForm(
                id=digest.hexdigest()[:24],
                programme_id=programme_id,
                standard_version=standard_version,
                scored=refs,
                pilot=pilot_refs,
                order=tuple(i.ref for i in order),
                mean_facility=round(sum(facility(i, measured) for i in scored) / len(scored), 4),
                minutes_needed=round(sum(EXAM_MINUTES[i.kind] for i in order), 1),
            )
        )
    return out


def _deal(
    pool: list[Item], need: int, forms: int, rng: random.Random, measured: Mapping[str, float]
) -> list[list[Item]]:
    """Give each form `need` items of this domain, matched on difficulty, sharing as few as possible.

    Items are sorted by facility (ties shuffled) and dealt in a snake order (form 0,1,2,2,1,0,...),
    so each form draws from every difficulty band. When the pool is smaller than need × forms,
    the shortfall is filled with the items used least so far, spread over the forms."""
    rng.shuffle(pool)
    ranked = sorted(pool, key=lambda i: facility(i, measured))
    out: list[list[Item]] = [[] for _ in range(forms)]
    snake = [*range(forms), *reversed(range(forms))]
    k = 0
    for item in ranked:
        if all(len(f) == need for f in out):
            break
        while len(out[snake[k % len(snake)]]) == need:
            k += 1
        out[snake[k % len(snake)]].append(item)
        k += 1
    uses = {i.id: 1 for f in out for i in f}
    for form in out:
        while len(form) < need:
            spare = [i for i in ranked if i not in form]
            reuse = min(spare, key=lambda i: (uses.get(i.id, 0), abs(facility(i, measured) - 0.6)))
            form.append(reuse)
            uses[reuse.id] = uses.get(reuse.id, 0) + 1
    return out


def _balance(dealt: list[list[Item]], spare: list[Item], measured: Mapping[str, float]) -> None:
    """Swap items of the same domain (between forms, or with unused items) while that narrows the gap
    between the easiest and the hardest form. Quotas and overlap are unchanged by a swap."""

    def mean(form: list[Item]) -> float:
        return sum(facility(i, measured) for i in form) / len(form)

    for _ in range(200):
        order = sorted(range(len(dealt)), key=lambda f: mean(dealt[f]))
        lo, hi = order[0], order[-1]
        gap = mean(dealt[hi]) - mean(dealt[lo])
        if gap <= 1e-9:
            return
        best: tuple[float, Item, Item, list[Item]] | None = None
        n = len(dealt[hi])
        # Replace an easy item of the easiest form with a harder one of the same domain: from the
        # hardest form (a swap) or from the unused items (so no overlap is created).
        for a in dealt[hi]:
            for pool in (dealt[lo], spare):
                for b in pool:
                    if b.domain != a.domain or b in dealt[hi]:
                        continue
                    delta = facility(a, measured) - facility(b, measured)
                    shift = delta / n if pool is spare else 2 * delta / n
                    if delta > 0 and shift < gap and (best is None or abs(gap - shift) < abs(gap - best[0])):
                        best = (shift, a, b, pool)
        if best is None or abs(gap - best[0]) >= gap:
            return
        _, a, b, pool = best
        dealt[hi][dealt[hi].index(a)] = b
        pool[pool.index(b)] = a


def _deal_pilots(pilots: list[Item], per_form: int, forms: int, rng: random.Random) -> list[list[Item]]:
    if per_form == 0:
        return [[] for _ in range(forms)]
    if len(pilots) < per_form:
        raise FormAssemblyError(f"the secure pool has {len(pilots)} pilot items; a form needs {per_form}")
    rng.shuffle(pilots)
    # Pilots rotate: each form takes the next slice, wrapping, so every pilot item gathers responses.
    return [[pilots[(f * per_form + n) % len(pilots)] for n in range(per_form)] for f in range(forms)]


def _interleave(scored: list[Item], pilot: list[Item], rng: random.Random) -> list[Item]:
    """Shuffle the scored items so no domain comes in a block, then place pilots at random positions
    (never first): a candidate cannot tell a pilot item from a scored one."""
    order = list(scored)
    rng.shuffle(order)
    for item in pilot:
        order.insert(rng.randint(1, len(order)), item)
    return order


def _check_overlap(dealt: list[list[Item]], max_overlap: int) -> None:
    for (a, fa), (b, fb) in combinations(enumerate(dealt), 2):
        shared = {i.id for i in fa} & {i.id for i in fb}
        if len(shared) > max_overlap:
            raise FormAssemblyError(
                f"forms {a + 1} and {b + 1} would share {len(shared)} items; the programme allows {max_overlap}. "
                "Write more secure items for the short domains or allow fewer forms."
            )


def overlap(a: ExamForm, b: ExamForm) -> int:
    return len({r.split("@")[0] for r in a.scored} & {r.split("@")[0] for r in b.scored})
