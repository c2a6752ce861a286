"""Simulation of the readiness scoring: does it recover known abilities, and are its intervals honest?

Thousands of simulated candidates with known per-domain abilities (standard normal) answer a form
under a two-parameter IRT model whose item parameters the simulation fixes (difficulties spread over
easy/medium/hard, discriminations drawn around the scorer's assumption, so the scorer is slightly
misspecified, as it will be with real items). The scorer sees only the answers and the items'
difficulty labels. Reported per domain: correlation of estimate and truth, classification accuracy at
the Ready threshold (θ ≥ 0.5), and how often the 90% interval covers the true ability (near 90% is
honest; 99% would mean intervals too wide to be useful).

Run: `.venv/bin/python -m bench.sim_readiness [--candidates 3000] [--write]`.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from dataclasses import dataclass

from assay.core.scoring.ability import DIFFICULTY, Evidence, posterior
from assay.core.scoring.profile import Level, level_of
from bench.report import write_section


@dataclass(frozen=True)
class SimItem:
    label: str
    difficulty: float  # the true b
    discrimination: float  # the true a


def make_items(rng: random.Random, per_domain: int) -> list[SimItem]:
    items = []
    for n in range(per_domain):
        label = ("easy", "medium", "hard")[n % 3]
        # The true difficulty scatters around the label's value: labels are the writers' priors.
        items.append(SimItem(label, DIFFICULTY[label] + rng.gauss(0, 0.35), max(0.5, rng.gauss(1.2, 0.3))))
    return items


def answer(rng: random.Random, theta: float, item: SimItem) -> float:
    p = 1 / (1 + math.exp(-item.discrimination * (theta - item.difficulty)))
    return 1.0 if rng.random() < p else 0.0


def simulate(candidates: int, per_domain: int, domains: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    forms = [make_items(rng, per_domain) for _ in range(domains)]
    truths, estimates, covered, correct_class = [], [], 0, 0
    for _ in range(candidates):
        for items in forms:
            theta = rng.gauss(0, 1)
            ability = posterior([Evidence(answer(rng, theta, i), DIFFICULTY[i.label]) for i in items])
            truths.append(theta)
            estimates.append(ability.mean)
            covered += ability.low <= theta <= ability.high
            correct_class += (level_of(ability.mean) >= Level.READY) == (theta >= 0.5)
    n = len(truths)
    return {
        "correlation": statistics.correlation(truths, estimates),
        "classification": correct_class / n,
        "coverage": covered / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = []
    for per_domain in (2, 3, 5, 10):
        r = simulate(args.candidates, per_domain, args.domains, seed=per_domain)
        rows.append(f"| {per_domain} | {r['correlation']:.3f} | {r['classification']:.1%} | {r['coverage']:.1%} |")
    table = "\n".join(
        [
            "| items per domain | correlation (estimate, truth) | classified right at Ready | 90% interval covers truth |",
            "| ---: | ---: | ---: | ---: |",
            *rows,
        ]
    )
    print(table)
    if args.write:
        write_section(
            "sim_readiness",
            "Readiness scoring: simulation",
            table,
            script="sim_readiness.py",
            note=f", {args.candidates} candidates × {args.domains} domains",
        )


if __name__ == "__main__":
    main()
