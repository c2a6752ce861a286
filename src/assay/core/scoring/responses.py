"""From an answer to a score in [0, 1], with a documented partial-credit rule per item kind."""

from __future__ import annotations

from collections.abc import Sequence

from assay.core.items.model import Item, ItemKind


class AnswerError(ValueError):
    """An answer that does not fit the item: a person-readable reason."""


def validate_answer(item: Item, answer: Sequence[str]) -> tuple[str, ...]:
    ids = {o.id for o in item.options}
    chosen = tuple(answer)
    if not chosen:
        raise AnswerError(f"choose at least one option for {item.id}")
    unknown = [a for a in chosen if a not in ids]
    if unknown:
        raise AnswerError(f"{item.id} has no option {', '.join(unknown)}")
    if len(set(chosen)) != len(chosen):
        raise AnswerError(f"an option is chosen twice for {item.id}")
    if item.kind is ItemKind.SINGLE and len(chosen) != 1:
        raise AnswerError(f"{item.id} takes exactly one option")
    if item.kind is ItemKind.ORDERING and set(chosen) != ids:
        raise AnswerError(f"{item.id} needs every step placed in order")
    return chosen


def score(item: Item, answer: Sequence[str]) -> float:
    """The partial-credit rules:

    - single: 1 if the keyed option, else 0;
    - multiple and defects: (right marks − wrong marks) / number keyed, floored at 0 — marking
      everything earns nothing, and each wrong mark costs as much as a right one earns;
    - ordering: the share of pairs of steps in the right relative order (Kendall's agreement),
      so one swapped pair of adjacent steps loses a little, a reversed procedure everything.
    """
    chosen = validate_answer(item, answer)
    key = item.key
    if item.kind is ItemKind.SINGLE:
        return 1.0 if chosen[0] in key else 0.0
    if item.kind in (ItemKind.MULTIPLE, ItemKind.DEFECTS):
        assert isinstance(key, frozenset)
        right = sum(1 for a in chosen if a in key)
        wrong = len(chosen) - right
        return max(0.0, (right - wrong) / len(key))
    assert isinstance(key, tuple)
    rank = {option: n for n, option in enumerate(key)}
    pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :]]
    return sum(1 for a, b in pairs if rank[a] < rank[b]) / len(pairs)
