"""Credential JSON before any JSON-LD: strict parsing, size and depth limits, and the data errors.

Every limit is checked before a document reaches a JSON-LD processor, so a hostile document is
refused for its size or depth, never by exhausting memory or the stack.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from assay.core.errors import ValidationFailed

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNCERTAIN_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")


# --- errors ----------------------------------------------------------------------------------


class CredentialDataError(ValidationFailed):
    """A document that cannot be signed or checked as it stands; `code` names the failing check."""

    code = "document"


class DocumentTooLarge(CredentialDataError):
    code = "too-large"


class DocumentTooDeep(CredentialDataError):
    code = "too-deep"


class MalformedDocument(CredentialDataError):
    code = "malformed"


class ContextNotAllowed(CredentialDataError):
    code = "context"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The JSON-LD context {url!r} is not one Assay ships, so it is refused (contexts are never fetched).",
            {"@context": url},
        )
        self.url = url


class InvalidJsonLd(CredentialDataError):
    code = "json-ld"


@dataclass(frozen=True)
class TermProblem:
    path: str  # JSON path of the offending key or value, e.g. $.credentialSubject.foo
    term: str
    reason: str


class UnsafeDocument(CredentialDataError):
    code = "undefined-term"

    def __init__(self, problems: tuple[TermProblem, ...]) -> None:
        listed = "; ".join(f"{p.path}: {p.reason}" for p in problems)
        super().__init__(f"Terms that would not be signed: {listed}", {p.path: p.reason for p in problems})
        self.problems = problems


# --- limits and parsing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 1024 * 1024  # UTF-8 size of the compact JSON
    max_depth: int = 64  # nesting of objects and arrays; the top-level object is depth 1


DEFAULT_LIMITS = Limits()


def _reject_constant(name: str) -> Any:
    raise MalformedDocument(f"{name} is not valid JSON.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # Parsers disagree on which duplicate wins; a signature must not depend on that.
            raise MalformedDocument(f"Duplicate key {key!r} in a JSON object.")
        result[key] = value
    return result


def parse_json(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Parse a credential's JSON text strictly: size first, then no duplicate keys, NaN or Infinity."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise DocumentTooLarge(f"The document is {len(raw)} bytes; the limit is {limits.max_bytes}.")
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except RecursionError:
        raise DocumentTooDeep(f"The document nests deeper than {limits.max_depth} levels.") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise MalformedDocument(f"The document is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedDocument("A credential must be a JSON object.")
    check_limits(value, limits)
    return value


def json_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def walk(value: Any, path: str, depth: int, limits: Limits) -> Iterator[tuple[str, Any]]:
    """Every value with its path, checking types and depth on the way down."""
    if isinstance(value, dict | list) and depth > limits.max_depth:
        raise DocumentTooDeep(f"The document nests deeper than {limits.max_depth} levels (at {path}).")
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedDocument(f"Object keys must be strings (at {path}).")
            yield from walk(item, json_path(path, key), depth + 1, limits)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, json_path(path, index), depth + 1, limits)
    elif isinstance(value, float) and not math.isfinite(value):
        raise MalformedDocument(f"{value} is not a JSON number (at {path}).")
    elif value is not None and not isinstance(value, str | int | float | bool):
        raise MalformedDocument(f"{type(value).__name__} is not a JSON value (at {path}).")


def check_limits(document: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a document that is not plain JSON, nests too deep or is too large."""
    for _ in walk(document, "$", 1, limits):
        pass
    size = len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise DocumentTooLarge(f"The document is {size} bytes; the limit is {limits.max_bytes}.")


def uncertain_text(document: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """Paths of strings that implementations canonicalise differently, which Assay will not sign.

    RDFC-1.0 writes lone surrogates, U+FFFE and U+FFFF as a \\u UCHAR escape; rdf-canonize (jsonld.js) writes
    them raw, so a credential holding one would fail in that verifier. None of them is text anyway.
    """
    return tuple(
        path
        for path, value in walk(document, "$", 1, limits)
        if isinstance(value, str) and _UNCERTAIN_TEXT.search(value)
    )
