"""A problem found in standard content: where (file, line, path) and why. Loading collects, never raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assay.core.errors import ValidationFailed


@dataclass(frozen=True)
class Problem:
    file: str
    path: str  # e.g. "domains[2].controls[0].crosswalk[1].ref"
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.path or '(document)'}: {self.reason}" if self.path else f"{where}: {self.reason}"


def format_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class ContentInvalid(ValidationFailed):
    """Standard content that failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        super().__init__(f"The standard content has {count} problem{'s' if count != 1 else ''}; nothing was imported.")
        self.problems = list(problems)
