"""Reading an answer from a question form: options ticked, or positions given to ordering steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData


def choice_from_form(question: Mapping[str, Any], form: FormData) -> list[str] | str:
    """The chosen option ids (for ordering, in the order given), or a message saying what to fix."""
    if question["kind"] == "ordering":
        positions = {o["id"]: str(form.get(f"pos-{o['id']}", "")) for o in question["options"]}
        if sorted(positions.values()) != [str(i) for i in range(1, len(positions) + 1)]:
            return "Give each step a different position, from 1 to the last."
        return sorted(positions, key=lambda k: int(positions[k]))
    choice = [str(v) for v in form.getlist("choice")]
    return choice if choice else "Choose an answer first."
