"""Domain ability from item scores: a posterior on a grid under a two-parameter logistic model.

Each domain has an ability θ with a standard normal prior. An item of difficulty b (the writer's
prior until data calibrates it: easy −1, medium 0, hard +1) and discrimination a is answered
correctly with probability 1 / (1 + exp(−a(θ − b))). Partial credit s ∈ [0, 1] enters as a
fractional Bernoulli likelihood p^s (1 − p)^(1 − s). The posterior is computed exactly on a fine
grid, so the interval reflects both how many items were seen and how hard they were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GRID = tuple(-4.0 + 8.0 * i / 160 for i in range(161))
PRIOR = tuple(math.exp(-0.5 * t * t) for t in GRID)
DIFFICULTY = {"easy": -1.0, "medium": 0.0, "hard": 1.0}
DISCRIMINATION = 1.2


@dataclass(frozen=True)
class Evidence:
    score: float  # 0..1
    difficulty: float  # b
    discrimination: float = DISCRIMINATION


@dataclass(frozen=True)
class Ability:
    mean: float
    low: float  # lower end of the credible interval
    high: float
    level: float  # the credible level of [low, high], e.g. 0.9
    items: int

    @property
    def percent(self) -> int:
        """The ability as the chance of answering a medium item correctly: easier to read than θ."""
        return round(100 / (1 + math.exp(-DISCRIMINATION * self.mean)))

    def percent_of(self, theta: float) -> int:
        return round(100 / (1 + math.exp(-DISCRIMINATION * theta)))


def posterior(evidence: Sequence[Evidence], *, level: float = 0.9) -> Ability:
    if not 0 < level < 1:
        raise ValueError("the credible level is a probability strictly between 0 and 1")
    log_weights = []
    for theta, prior in zip(GRID, PRIOR, strict=True):
        total = math.log(prior)
        for e in evidence:
            if not 0.0 <= e.score <= 1.0:
                raise ValueError(f"an item score must be within 0..1, got {e.score}")
            z = e.discrimination * (theta - e.difficulty)
            # log p and log (1 − p), computed stably for large |z|
            log_p = -math.log1p(math.exp(-z)) if z > -30 else z
            log_q = -math.log1p(math.exp(z)) if z < 30 else -z
            total += e.score * log_p + (1.0 - e.score) * log_q
        log_weights.append(total)
    peak = max(log_weights)
    weights = [math.exp(w - peak) for w in log_weights]
    norm = sum(weights)
    probs = [w / norm for w in weights]
    mean = sum(t * p for t, p in zip(GRID, probs, strict=True))
    tail = (1 - level) / 2
    return Ability(mean, _quantile(probs, tail), _quantile(probs, 1 - tail), level, len(evidence))


def _quantile(probs: Sequence[float], q: float) -> float:
    cumulative = 0.0
    for theta, p in zip(GRID, probs, strict=True):
        if cumulative + p >= q:
            # interpolate within the cell for a smooth, monotone interval
            inside = (q - cumulative) / p if p else 0.0
            return theta - 0.025 + 0.05 * inside
        cumulative += p
    return GRID[-1]
