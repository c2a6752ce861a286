"""Scrub personal data and secrets out of free text before anyone else reads it.

Used for anonymous case studies: only the scrubbed text is stored. Each finding is replaced by a
bracketed placeholder naming what was there ([email], [phone], [secret], ...), so a reader knows
something was removed. Detection, in order (secrets first, so a key is not half-taken as a number):

- secrets: PEM private keys; AWS access keys; GitHub, Slack, Stripe and "sk-" API keys; JWTs;
  bearer tokens; long hex or base64-like strings (32+ characters, mixed letters and digits);
  passwords in `password=...` or `password: ...` form;
- e-mail addresses; links (any http(s) URL, since a host can identify an employer or client);
- payment card numbers (13–19 digits passing the Luhn check); US social security numbers and UK
  national insurance numbers; phone numbers (9–15 digits, with the usual separators); IPv4 addresses;
- names: every name given by the caller (the author, their organisations) in any case, titles with
  a surname ("Dr Okafor", "Ms. Jane Lee"), a common first name followed by a capitalised word, and a
  common first name on its own (unless it is also an everyday word, like Mark or Grace).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_SECRETS: tuple[re.Pattern[str], ...] = (
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b|\bsk-[A-Za-z0-9_-]{20,}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}"),
    re.compile(r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|token)\s*[:=]\s*\S+"),
    re.compile(r"\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{32,}={0,2}"),
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.I)
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?!\w|\.\d)")
_IPV4 = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?:[A-Z][a-z'-]+\s+)?[A-Z][a-z'-]+")
#: Common first names in English-language workplaces; "Name Surname" after one is taken as a person.
FIRST_NAMES = frozenset(
    [
        "aaron",
        "adam",
        "adrian",
        "ahmed",
        "aisha",
        "alan",
        "alex",
        "alexander",
        "alice",
        "amanda",
        "amir",
        "amy",
        "ana",
        "andrea",
        "andrew",
        "angela",
        "anna",
        "anne",
        "anthony",
        "arjun",
        "ben",
        "benjamin",
        "beth",
        "brian",
        "carlos",
        "carol",
        "catherine",
        "charles",
        "charlotte",
        "chen",
        "chris",
        "christine",
        "claire",
        "daniel",
        "david",
        "deborah",
        "diana",
        "diego",
        "dmitri",
        "elena",
        "elizabeth",
        "emily",
        "emma",
        "eric",
        "fatima",
        "fiona",
        "francesca",
        "frank",
        "gabriel",
        "george",
        "grace",
        "hannah",
        "harry",
        "helen",
        "ian",
        "isabel",
        "jack",
        "jacob",
        "james",
        "jane",
        "jennifer",
        "jessica",
        "joan",
        "john",
        "jonathan",
        "jose",
        "joseph",
        "julia",
        "karen",
        "kate",
        "katherine",
        "kevin",
        "laura",
        "lauren",
        "lisa",
        "lucy",
        "luis",
        "maria",
        "mark",
        "martin",
        "mary",
        "matthew",
        "maya",
        "michael",
        "michelle",
        "mohammed",
        "nadia",
        "natalie",
        "nicholas",
        "nina",
        "noah",
        "olivia",
        "omar",
        "patrick",
        "paul",
        "peter",
        "priya",
        "rachel",
        "raj",
        "rebecca",
        "richard",
        "robert",
        "ryan",
        "samuel",
        "sara",
        "sarah",
        "simon",
        "sofia",
        "sophie",
        "stephen",
        "steven",
        "susan",
        "thomas",
        "tom",
        "victoria",
        "wei",
        "william",
        "yusuf",
        "zoe",
    ]
)
_NAME_PAIR = re.compile(r"\b([A-Z][a-z]+)\s+([A-Z][a-z'-]+)\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
#: First names that are also everyday words: removed only as part of "Name Surname".
_ALSO_WORDS = frozenset({"mark", "grace", "frank", "will", "may", "rose", "june", "april", "sara"})


@dataclass(frozen=True)
class Scrubbed:
    text: str
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def scrub(text: str, *, names: Iterable[str] = ()) -> Scrubbed:
    removed: Counter[str] = Counter()

    def sub(pattern: re.Pattern[str], label: str, value: str, keep: object = None) -> str:
        def repl(m: re.Match[str]) -> str:
            if keep is not None and callable(keep) and keep(m):
                return m.group(0)
            removed[label] += 1
            return f"[{label}]"

        return pattern.sub(repl, value)

    out = text
    for pattern in _SECRETS:
        out = sub(pattern, "secret", out)
    out = sub(_EMAIL, "email", out)
    out = sub(_URL, "link", out)
    out = sub(_CARD, "card", out, keep=lambda m: not _luhn(re.sub(r"\D", "", m.group(0))))
    out = sub(_SSN, "id-number", out)
    out = sub(_NINO, "id-number", out)
    out = sub(_IPV4, "ip", out)
    out = sub(_PHONE, "phone", out, keep=lambda m: not 9 <= len(re.sub(r"\D", "", m.group(0))) <= 15)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True):
        out = sub(re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.I), "name", out)
    out = sub(_TITLED, "name", out)
    out = sub(_NAME_PAIR, "name", out, keep=lambda m: m.group(1).lower() not in FIRST_NAMES)
    out = sub(
        _CAPITALISED,
        "name",
        out,
        keep=lambda m: m.group(0).lower() not in FIRST_NAMES or m.group(0).lower() in _ALSO_WORDS,
    )
    return Scrubbed(out, removed)
