"""Synthetic items for the scoring tests (the real bank is validated on its own)."""

from __future__ import annotations

from typing import Any

from assay.core.items.model import Item


def make_item(
    item_id: str = "IG-P-001",
    kind: str = "single",
    difficulty: str = "medium",
    controls: tuple[str, ...] = ("IG-01",),
    **extra: Any,
) -> Item:
    if kind == "single":
        options = [{"id": c, "text": f"Option {c}", "rationale": "Because.", "correct": c == "b"} for c in "abcd"]
    elif kind in ("multiple", "defects"):
        options = [{"id": c, "text": f"Option {c}", "rationale": "Because.", "correct": c in "ac"} for c in "abcde"]
    else:
        options = [
            {"id": c, "text": f"Step {c}", "rationale": "Because.", "position": p}
            for c, p in zip("abcd", (3, 1, 4, 2), strict=True)
        ]
    return Item.model_validate(
        {
            "id": item_id,
            "version": 1,
            "kind": kind,
            "status": "operational",
            "author": "Test",
            "controls": list(controls),
            "difficulty": difficulty,
            "title": "A scenario",
            "stem": "What should the team do?",
            "options": options,
            **extra,
        }
    )


# The default standard fixtures, shared with the standard's tests.
from tests.core.standard.conftest import default_standard, references  # noqa: E402, F401
