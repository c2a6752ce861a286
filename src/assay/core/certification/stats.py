"""Psychometrics: classical item analysis, rater agreement and the modified-Angoff cut.

Every formula here is stated so that a reader can recompute it, and the tests compare each figure
with an independent implementation (pingouin, scikit-learn, the `krippendorff` package), saved as
fixtures with the command that produced them (tests/fixtures/psychometrics/).

Item analysis, over a candidates × items matrix of item scores in [0, 1] (exam items are 0 or 1):

- facility: the mean item score (the share answering correctly).
- item–rest correlation r(x_i, T − x_i), Pearson, with T the total over the form's scored items;
  Moodle's "discrimination index" is this × 100.
- discriminative efficiency (Moodle): 100 × cov(x_i, T − x_i) / cov_max, where cov_max is the
  covariance of the two columns each sorted ascending: the highest covariance their distributions
  allow. It says how much of the discrimination the item's facility permits it actually achieves.
- the classical upper–lower discrimination index D (Kelley's 27%): candidates ranked by T, n = round
  (0.27 × N) taken from each end (ties broken by the order given), D = mean(x_i, upper) − mean(x_i, lower).
- point-biserial: r(x_i, T), Pearson, the item included in the total.
- Cronbach's alpha: k/(k − 1) × (1 − Σ var(x_i) / var(T)), sample variances (ddof = 1).
- standard error of measurement: SD(T) × √(1 − alpha), in raw-score points (ddof = 1).
Pilot items are analysed against T over the scored items, which they are not part of: for them the
"rest" is T itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

UPPER_LOWER_SHARE = 0.27

#: Documented thresholds (docs/certification.md): an item outside them is flagged for review.
FACILITY_LOW, FACILITY_HIGH = 0.20, 0.90
ITEM_REST_MIN = 0.20
DISTRACTOR_MIN_SHARE = 0.05  # a wrong option fewer than 5% choose is not working
#: A pilot item may become operational only past all of these (and by an editor's recorded decision).
PROMOTION_MIN_RESPONSES = 100

Matrix = npt.NDArray[np.float64]


def pearson(x: Matrix, y: Matrix) -> float:
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return math.nan
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


@dataclass(frozen=True)
class ItemStats:
    item: str
    scored: bool
    responses: int
    facility: float
    item_rest: float
    discrimination_index: float  # Moodle's: item_rest × 100
    discriminative_efficiency: float
    upper_lower_d: float
    point_biserial: float
    distractors: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)  # option → (all, upper, lower)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormStats:
    candidates: int
    items: int
    mean: float
    sd: float
    alpha: float
    sem: float
    item_stats: tuple[ItemStats, ...]


def upper_lower_groups(totals: Matrix) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    n = len(totals)
    g = max(1, round(UPPER_LOWER_SHARE * n))
    order = np.argsort(-totals, kind="stable")  # highest first; ties keep the candidates' order
    return order[:g], order[n - g :]


def cronbach_alpha(scores: Matrix) -> float:
    k = scores.shape[1]
    if k < 2 or scores.shape[0] < 2:
        return math.nan
    total_var = scores.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return math.nan
    return float(k / (k - 1) * (1 - scores.var(axis=0, ddof=1).sum() / total_var))


def discriminative_efficiency(x: Matrix, rest: Matrix) -> float:
    cov = float(((x - x.mean()) * (rest - rest.mean())).mean())
    xs, rs = np.sort(x), np.sort(rest)
    cov_max = float(((xs - xs.mean()) * (rs - rs.mean())).mean())
    return math.nan if cov_max == 0 else 100 * cov / cov_max


def analyse(
    scores: Matrix,
    items: Sequence[str],
    scored: Sequence[bool],
    *,
    choices: Mapping[str, Sequence[Sequence[str]]] | None = None,
    keys: Mapping[str, frozenset[str]] | None = None,
) -> FormStats:
    """`scores`: candidates × items. `scored[j]` says whether item j counts towards the total.
    `choices[item]`: each candidate's chosen options (same row order), for distractor analysis;
    `keys[item]`: the keyed options (not distractors)."""
    scores = np.asarray(scores, dtype=np.float64)
    mask = np.asarray(scored, dtype=bool)
    total = scores[:, mask].sum(axis=1)
    upper, lower = upper_lower_groups(total)
    alpha = cronbach_alpha(scores[:, mask])
    sd = float(total.std(ddof=1)) if len(total) > 1 else math.nan
    out = []
    for j, item in enumerate(items):
        x = scores[:, j]
        rest = total - x if mask[j] else total
        item_rest = pearson(x, rest)
        distractors = (
            _distractors(choices[item], keys[item], upper, lower) if choices and keys and item in choices else {}
        )
        stats = ItemStats(
            item=item,
            scored=bool(mask[j]),
            responses=len(x),
            facility=float(x.mean()),
            item_rest=item_rest,
            discrimination_index=item_rest * 100,
            discriminative_efficiency=discriminative_efficiency(x, rest),
            upper_lower_d=float(x[upper].mean() - x[lower].mean()),
            point_biserial=pearson(x, total if mask[j] else total + x),
            distractors=distractors,
        )
        out.append(_flagged(stats))
    return FormStats(
        candidates=scores.shape[0],
        items=int(mask.sum()),
        mean=float(total.mean()),
        sd=sd,
        alpha=alpha,
        sem=sd * math.sqrt(1 - alpha) if not math.isnan(alpha) and alpha <= 1 else math.nan,
        item_stats=tuple(out),
    )


def _distractors(
    choices: Sequence[Sequence[str]], key: frozenset[str], upper: npt.NDArray[np.intp], lower: npt.NDArray[np.intp]
) -> dict[str, tuple[float, float, float]]:
    options = sorted({o for c in choices for o in c} - key)
    n = len(choices)
    out = {}
    for option in options:
        picked = np.array([option in c for c in choices], dtype=np.float64)
        out[option] = (float(picked.sum() / n), float(picked[upper].mean()), float(picked[lower].mean()))
    return out


def _flagged(s: ItemStats) -> ItemStats:
    flags = []
    if s.facility < FACILITY_LOW:
        flags.append(f"hard: facility {s.facility:.0%} below {FACILITY_LOW:.0%}")
    if s.facility > FACILITY_HIGH:
        flags.append(f"easy: facility {s.facility:.0%} above {FACILITY_HIGH:.0%}")
    if math.isnan(s.item_rest):
        flags.append("no variance: everyone scored the same")
    elif s.item_rest < 0:
        flags.append(f"negative item–rest correlation ({s.item_rest:.2f}): check the key")
    elif s.item_rest < ITEM_REST_MIN:
        flags.append(f"weak discrimination: item–rest {s.item_rest:.2f} below {ITEM_REST_MIN}")
    for option, (share, up, low) in s.distractors.items():
        if up > low:
            flags.append(f"distractor {option} attracts more of the upper group ({up:.0%}) than the lower ({low:.0%})")
        elif share < DISTRACTOR_MIN_SHARE:
            flags.append(f"distractor {option} chosen by {share:.1%}: not working")
    return ItemStats(**{**s.__dict__, "flags": tuple(flags)})


def promotion_problems(s: ItemStats) -> list[str]:
    """Why a pilot item may not become operational yet (empty: it may, by an editor's decision)."""
    problems = []
    if s.responses < PROMOTION_MIN_RESPONSES:
        problems.append(f"{s.responses} responses; at least {PROMOTION_MIN_RESPONSES} needed")
    if math.isnan(s.facility):
        problems.append("facility not measured yet")
    elif not FACILITY_LOW <= s.facility <= FACILITY_HIGH:
        problems.append(f"facility {s.facility:.0%} outside {FACILITY_LOW:.0%}–{FACILITY_HIGH:.0%}")
    if math.isnan(s.item_rest):
        problems.append("item–rest correlation not measurable yet")
    elif s.item_rest < ITEM_REST_MIN:
        problems.append(f"item–rest correlation {s.item_rest:.2f} below {ITEM_REST_MIN}")
    return problems


# --- rater agreement -------------------------------------------------------------------------------


def krippendorff_alpha_ordinal(units: Sequence[Sequence[int]], categories: Sequence[int] = (1, 2, 3, 4)) -> float:
    """Krippendorff's alpha with the ordinal metric. `units`: per rated unit (a submission), the values
    its coders gave (any number; units with fewer than two values are not pairable and are dropped).

    Coincidences o_ck = Σ_units Σ_{pairs of different coders} / (m_u − 1); n_c their marginals; the
    ordinal distance δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²; alpha = 1 − (n − 1) Σ o δ² / Σ n_c n_k δ².
    """
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    o = np.zeros((k, k))
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts = np.zeros(k)
        for v in values:
            counts[index[v]] += 1
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan
    delta = np.zeros((k, k))
    for c in range(k):
        for d in range(k):
            lo, hi = min(c, d), max(c, d)
            delta[c, d] = (n_c[lo : hi + 1].sum() - (n_c[c] + n_c[d]) / 2) ** 2
    expected = (np.outer(n_c, n_c) * delta).sum()
    if expected == 0:
        return math.nan
    return float(1 - (n - 1) * (o * delta).sum() / expected)


def cohen_kappa_quadratic(a: Sequence[int], b: Sequence[int], categories: Sequence[int] = (1, 2, 3, 4)) -> float:
    """Cohen's kappa with quadratic weights w_ij = (i − j)² / (k − 1)² over the full scale, for two
    raters' scores of the same units (as scikit-learn's cohen_kappa_score with labels = the scale)."""
    if len(a) != len(b) or not a:
        return math.nan
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[index[x], index[y]] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    i, j = np.indices((k, k))
    w = (i - j) ** 2 / (k - 1) ** 2
    denominator = (w * expected).sum()
    return math.nan if denominator == 0 else float(1 - (w * observed).sum() / denominator)


# --- modified Angoff --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AngoffCut:
    judges: int
    items: int
    judge_cuts: Mapping[str, float]  # judge → Σ of their ratings (expected raw score of the borderline candidate)
    cut: float  # mean of the judges' cuts, raw score
    se: float  # SD(judges' cuts, ddof = 1) / √J
    cut_percent: float  # cut / items × 100


def angoff_cut(ratings: Mapping[str, Mapping[str, float]], items: Sequence[str]) -> AngoffCut:
    """`ratings`: judge → item → probability (0–1) that a minimally competent candidate answers it
    correctly. Every judge must rate every item."""
    if not ratings:
        raise ValueError("no judge has rated")
    cuts = {}
    for judge, theirs in ratings.items():
        missing = [i for i in items if i not in theirs]
        if missing:
            raise ValueError(f"judge {judge} has not rated {len(missing)} items")
        cuts[judge] = float(sum(theirs[i] for i in items))
    values = np.array(list(cuts.values()))
    se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan
    cut = float(values.mean())
    return AngoffCut(len(values), len(items), cuts, cut, se, 100 * cut / len(items))
