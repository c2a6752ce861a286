"""Blueprints and form assembly: about 25 items stratified over the domains, under 30 minutes.

A form is reproducible: the same bank, blueprint and seed give the same items in the same order,
and the form records every item's version, so a result can be re-scored exactly.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass

from assay.core.items.model import Item, ItemKind, Pool

#: Minutes a candidate needs per item of each kind (scenario reading included): the time estimate.
MINUTES = {ItemKind.SINGLE: 1.0, ItemKind.MULTIPLE: 1.3, ItemKind.ORDERING: 1.4, ItemKind.DEFECTS: 1.8}


class FormAssemblyError(ValueError):
    pass


@dataclass(frozen=True)
class Blueprint:
    id: str
    pool: Pool
    per_domain: Mapping[str, int]  # domain → number of items
    max_minutes: float = 30.0

    @property
    def length(self) -> int:
        return sum(self.per_domain.values())


@dataclass(frozen=True)
class Form:
    id: str  # content-addressed: the hash of the blueprint and the pinned item refs
    blueprint_id: str
    standard: str
    standard_version: str
    item_refs: tuple[str, ...]  # "<id>@<version>", in presentation order
    minutes: float


def stratified_blueprint(
    domains: list[str], *, total: int = 25, pool: Pool = Pool.PRACTICE, blueprint_id: str = "readiness-v1"
) -> Blueprint:
    """Spread `total` items over the domains as evenly as possible (the first domains get the remainder)."""
    base, extra = divmod(total, len(domains))
    return Blueprint(blueprint_id, pool, {d: base + (1 if i < extra else 0) for i, d in enumerate(domains)})


def assemble(
    blueprint: Blueprint, by_domain: Mapping[str, list[Item]], *, seed: str, standard: str, standard_version: str
) -> Form:
    """Draw each domain's quota, spreading controls (no control twice while another is unused), then
    interleave domains so no domain comes in a block."""
    rng = random.Random(hashlib.sha256(f"{blueprint.id}|{seed}".encode()).digest())
    chosen: list[list[Item]] = []
    pools: list[list[Item]] = []
    for domain, quota in blueprint.per_domain.items():
        # Only the blueprint's own pool: a practice item (its rationale public) can never reach an exam.
        pool = [i for i in by_domain.get(domain, []) if i.pool is blueprint.pool]
        if len(pool) < quota:
            raise FormAssemblyError(f"domain {domain} has {len(pool)} operational items; the blueprint needs {quota}")
        rng.shuffle(pool)
        picked: list[Item] = []
        used: set[str] = set()
        for item in sorted(pool, key=lambda i: bool(set(i.controls) & used)):
            if len(picked) == quota:
                break
            if not set(item.controls) & used or len(picked) + (len(pool) - len(picked)) <= quota:
                picked.append(item)
                used |= set(item.controls)
        for item in pool:
            if len(picked) == quota:
                break
            if item not in picked:
                picked.append(item)
        chosen.append(picked)
        pools.append(pool)
    _fit_time(chosen, pools, blueprint.max_minutes)
    order: list[Item] = []
    while any(chosen):
        for group in chosen:
            if group:
                order.append(group.pop(0))
    minutes = round(sum(MINUTES[i.kind] for i in order), 1)
    if minutes > blueprint.max_minutes:
        raise FormAssemblyError(f"the form needs about {minutes} minutes; the blueprint allows {blueprint.max_minutes}")
    refs = tuple(i.ref for i in order)
    form_id = hashlib.sha256("|".join((blueprint.id, standard, standard_version, *refs)).encode()).hexdigest()[:24]
    return Form(form_id, blueprint.id, standard, standard_version, refs, minutes)


def _fit_time(chosen: list[list[Item]], pools: list[list[Item]], max_minutes: float) -> None:
    """Swap the slowest drawn items for quicker unused ones of the same domain until the form fits."""
    while sum(MINUTES[i.kind] for group in chosen for i in group) > max_minutes:
        best: tuple[float, int, int, Item] | None = None
        for g, (group, pool) in enumerate(zip(chosen, pools, strict=True)):
            spare = [i for i in pool if i not in group]
            for k, item in enumerate(group):
                quicker = min(spare, key=lambda i: MINUTES[i.kind], default=None)
                if quicker is not None and MINUTES[quicker.kind] < MINUTES[item.kind]:
                    saving = MINUTES[item.kind] - MINUTES[quicker.kind]
                    if best is None or saving > best[0]:
                        best = (saving, g, k, quicker)
        if best is None:
            return  # nothing quicker to swap in: assemble() reports the overrun
        _, g, k, quicker = best
        chosen[g][k] = quicker
