"""Keeping review blind: find what in a submission could name its author before anyone else sees it.

The candidate is shown every finding before submitting and removes it, or confirms it does not
identify them (a colleague's surname that is also a technology, say). What is matched: the
account's full name and each part of it of three letters or more, the e-mail address and its local
part, the e-mail's domain, and organisation names the candidate belongs to. Matching ignores case
and accents and only counts whole words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: Common words that are also names: matched only as part of the full name, never alone.
_TOO_COMMON = frozenset({"will", "mark", "may", "april", "june", "grant", "read", "lee", "page", "case", "rose"})


@dataclass(frozen=True)
class Mention:
    term: str  # what was found, as the candidate wrote it
    kind: str  # name | email | domain | organisation
    line: int  # 1-based
    excerpt: str  # the line, shortened around the finding


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _terms(full_name: str, email: str, organisations: Iterable[str]) -> list[tuple[str, str]]:
    terms: list[tuple[str, str]] = []
    if full_name.strip():
        terms.append((full_name.strip(), "name"))
        parts = [p for p in re.split(r"[\s\-']+", full_name) if len(p) >= 3]
        terms += [(p, "name") for p in parts if _fold(p) not in _TOO_COMMON]
    if "@" in email:
        local, domain = email.rsplit("@", 1)
        terms.append((email, "email"))
        if len(local) >= 3:
            terms.append((local, "email"))
        if domain.split(".")[0] not in {
            "gmail",
            "outlook",
            "hotmail",
            "yahoo",
            "icloud",
            "proton",
            "protonmail",
            "example",
        }:
            terms.append((domain, "domain"))
    terms += [(o.strip(), "organisation") for o in organisations if len(o.strip()) >= 3]
    return terms


def find_mentions(text: str, *, full_name: str, email: str, organisations: Iterable[str] = ()) -> list[Mention]:
    """Every finding, longest term first, so "Priya Raman" is reported once and not also as "Raman"."""
    out: list[Mention] = []
    covered: dict[int, list[tuple[int, int]]] = {}
    lines = text.splitlines()
    folded = [_fold(line) for line in lines]
    for term, kind in sorted(_terms(full_name, email, organisations), key=lambda t: -len(t[0])):
        pattern = re.compile(r"(?<!\w)" + re.escape(_fold(term)) + r"(?!\w)")
        for n, line in enumerate(folded, start=1):
            for m in pattern.finditer(line):
                spans = covered.setdefault(n, [])
                if any(a <= m.start() and m.end() <= b for a, b in spans):
                    continue
                spans.append((m.start(), m.end()))
                original = lines[n - 1]
                start = max(0, m.start() - 40)
                excerpt = ("…" if start else "") + original[start : m.end() + 40].strip()
                out.append(Mention(original[m.start() : m.end()], kind, n, excerpt))
    return sorted(out, key=lambda m: (m.line, m.excerpt.find(m.term), m.term))
