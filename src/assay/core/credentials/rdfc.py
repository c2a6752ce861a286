"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024-05-21): labelling and canonical N-Quads.

Why not pyld's `canonize`: pyld implements URDNA2015, whose N-Quads escape literals differently
(it writes BS, FF and the other C0 controls raw). RDFC-1.0 serialises quads in its own canonical
N-Quads form (Appendix A), and it hashes that same serialisation to label blank nodes, so a
different escaping changes both the bytes signed and, potentially, the blank node labels. This
module therefore implements the whole algorithm on a plain dataset; pyld is used only to turn
JSON-LD into that dataset (see `jsonld.to_dataset`).

Canonical N-Quads literals (RDFC-1.0 Appendix A): BS, HT, LF, FF, CR, '"' and '\\' are written as
ECHAR (\\b \\t \\n \\f \\r \\" \\\\); U+0000-U+0007, U+000B, U+000E-U+001F, U+007F and code points
that are not XML 1.1 ``Char`` (surrogates, U+FFFE, U+FFFF) as ``\\u`` and four uppercase hex digits (UCHAR); every
other character as itself. Lines are sorted in Unicode code point order (Python's str order).

Poison datasets (RDFC-1.0 section 7.1) are refused: like rdf-canonize, Hash N-Degree Quads may run
at most (number of blank nodes without a unique first-degree hash) ** `max_work_factor` times, and
the permutations it examines are capped too, so a crafted document cannot pin a CPU.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

DEFAULT_MAX_WORK_FACTOR = 1
DEFAULT_MAX_PERMUTATIONS = 50_000


class CanonicalizationError(ValueError):
    """The dataset is too complex to canonicalize within the limits (a poison dataset)."""


class TermKind(StrEnum):
    IRI = "iri"
    BLANK = "blank"
    LITERAL = "literal"


@dataclass(frozen=True, slots=True)
class Term:
    kind: TermKind
    value: str  # an IRI, a blank node label without "_:", or a literal's lexical form
    datatype: str = XSD_STRING  # literals only
    language: str | None = None  # literals with datatype rdf:langString only


@dataclass(frozen=True, slots=True)
class Quad:
    subject: Term
    predicate: Term
    object: Term
    graph: Term | None = None  # None is the default graph


def iri(value: str) -> Term:
    return Term(TermKind.IRI, value)


def blank(label: str) -> Term:
    return Term(TermKind.BLANK, label)


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> Term:
    return Term(TermKind.LITERAL, value, RDF_LANGSTRING if language else datatype, language)


# --- canonical N-Quads serialisation ---------------------------------------------------------


def _uchar(code: int) -> str:
    return f"\\u{code:04X}"


_ECHAR = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_LITERAL_ESCAPES: dict[int, str] = {code: _uchar(code) for code in (*range(0x20), 0x7F)}
_LITERAL_ESCAPES.update(_ECHAR)
# Not XML 1.1 Char: lone surrogates (possible in a Python str read from JSON) and U+FFFE, U+FFFF.
_LITERAL_ESCAPES.update({code: _uchar(code) for code in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})

# IRIREF cannot hold these characters raw; the only way to write them is UCHAR (as rdf-canonize does).
# The JSON-LD safe mode refuses such IRIs, so this matters only for datasets built by hand.
_IRI_ESCAPES = {code: _uchar(code) for code in (*range(0x21), *map(ord, '<>"{}|^`\\'))}


def escape_literal(value: str) -> str:
    return value.translate(_LITERAL_ESCAPES)


def escape_iri(value: str) -> str:
    return value.translate(_IRI_ESCAPES)


def _term(term: Term, label: str | None = None) -> str:
    if term.kind is TermKind.IRI:
        return f"<{escape_iri(term.value)}>"
    if term.kind is TermKind.BLANK:
        return f"_:{term.value if label is None else label}"
    text = f'"{escape_literal(term.value)}"'
    if term.datatype == RDF_LANGSTRING:
        return f"{text}@{term.language}" if term.language else text
    if term.datatype != XSD_STRING:
        return f"{text}^^<{escape_iri(term.datatype)}>"
    return text


def serialize_quad(quad: Quad, labels: dict[str, str] | None = None) -> str:
    """One quad in canonical N-Quads form, blank nodes relabelled through `labels` when given."""

    def node(term: Term) -> str:
        if labels is not None and term.kind is TermKind.BLANK:
            return _term(term, labels[term.value])
        return _term(term)

    parts = [node(quad.subject), node(quad.predicate), node(quad.object)]
    if quad.graph is not None:
        parts.append(node(quad.graph))
    return " ".join(parts) + " .\n"


# --- the canonicalization algorithm (RDFC-1.0 section 4) -------------------------------------


@dataclass
class _Issuer:
    """Identifier issuer (4.3): issues prefix + counter, remembering the order of issue."""

    prefix: str
    issued: dict[str, str] = field(default_factory=dict)

    def issue(self, existing: str) -> str:
        if existing not in self.issued:
            self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return self.issued[existing]

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


def _permutations(items: list[str]) -> Iterator[list[str]]:
    """Every ordering of `items`, in the order rdf-canonize visits them (Johnson-Trotter from sorted).

    Any order visits the same orderings and yields the same canonical form; using rdf-canonize's
    means the work budget below is spent exactly as the Node verifier spends it, so a dataset is
    refused by both or by neither.
    """
    current = sorted(items)
    left = dict.fromkeys(current, True)
    while True:
        yield list(current)
        mobile: str | None = None
        position = 0
        for i, item in enumerate(current):
            movable = (left[item] and i > 0 and item > current[i - 1]) or (
                not left[item] and i < len(current) - 1 and item > current[i + 1]
            )
            if movable and (mobile is None or item > mobile):
                mobile, position = item, i
        if mobile is None:
            return
        swap = position - 1 if left[mobile] else position + 1
        current[position], current[swap] = current[swap], mobile
        for item in current:
            if item > mobile:
                left[item] = not left[item]


def _sha256(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


class _Canonicalizer:
    def __init__(self, quads: list[Quad], max_work_factor: int, max_permutations: int) -> None:
        self.quads = quads
        self.bnode_quads: dict[str, list[Quad]] = {}
        for quad in quads:
            for term in (quad.subject, quad.object, quad.graph):
                if term is not None and term.kind is TermKind.BLANK:
                    mentions = self.bnode_quads.setdefault(term.value, [])
                    if not mentions or mentions[-1] is not quad:
                        mentions.append(quad)
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[str, str] = {}
        self.max_work_factor = max_work_factor
        self.remaining_deep = 0
        self.remaining_permutations = max_permutations

    def hash_first_degree(self, ref: str) -> str:
        """4.6: hash of the node's quads, itself written _:a and every other blank node _:z."""
        if ref not in self.first_degree:
            nquads = []
            for quad in self.bnode_quads[ref]:
                labels = {
                    t.value: ("a" if t.value == ref else "z")
                    for t in (quad.subject, quad.object, quad.graph)
                    if t is not None and t.kind is TermKind.BLANK
                }
                nquads.append(serialize_quad(quad, labels))
            self.first_degree[ref] = _sha256(sorted(nquads))
        return self.first_degree[ref]

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """4.7: hash of a related blank node as seen from one quad and position (s, o or g)."""
        if related in self.canonical.issued:
            identifier = "_:" + self.canonical.issued[related]
        elif related in issuer.issued:
            identifier = "_:" + issuer.issued[related]
        else:
            identifier = self.hash_first_degree(related)
        predicate = "" if position == "g" else f"<{quad.predicate.value}>"
        return _sha256([position, predicate, identifier])

    def hash_n_degree(self, ref: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """4.8: the hash of the paths from `ref`, choosing the lexicographically least."""
        if self.remaining_deep <= 0:
            raise CanonicalizationError("the dataset needs too many Hash N-Degree Quads runs (poison dataset)")
        self.remaining_deep -= 1
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.bnode_quads[ref]:
            for position, term in (("s", quad.subject), ("o", quad.object), ("g", quad.graph)):
                if term is not None and term.kind is TermKind.BLANK and term.value != ref:
                    digest = self.hash_related(term.value, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(term.value)
        data: list[str] = []
        for digest in sorted(related_by_hash):
            data.append(digest)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in _permutations(related_by_hash[digest]):
                self.remaining_permutations -= 1
                if self.remaining_permutations < 0:
                    raise CanonicalizationError("the dataset needs too many permutations (poison dataset)")
                candidate = self._path(permutation, issuer, chosen_path)
                if candidate is not None and (not chosen_path or candidate[0] < chosen_path):
                    chosen_path, chosen_issuer = candidate
            data.append(chosen_path)
            assert chosen_issuer is not None  # every related list has at least one permutation
            issuer = chosen_issuer
        return _sha256(data), issuer

    def _path(self, permutation: list[str], issuer: _Issuer, chosen: str) -> tuple[str, _Issuer] | None:
        """4.8.3 steps 5.4.1-5.4.5: the path for one permutation, or None once it cannot win.

        The Recommendation abandons a path once it is greater and at least as long as the chosen
        one; rdf-canonize abandons it once greater. Appending cannot make a greater path smaller, so
        both choose the same path; the shorter test is rdf-canonize's, for the budget's sake.
        """

        def loses(path: str) -> bool:
            return bool(chosen) and path > chosen

        issuer_copy = issuer.copy()
        path = ""
        recursion: list[str] = []
        for related in permutation:
            if related in self.canonical.issued:
                path += "_:" + self.canonical.issued[related]
            else:
                if related not in issuer_copy.issued:
                    recursion.append(related)
                path += "_:" + issuer_copy.issue(related)
            if loses(path):
                return None
        for related in recursion:
            digest, issuer_copy = self.hash_n_degree(related, issuer_copy)
            path += "_:" + issuer_copy.issue(related) + f"<{digest}>"
            if loses(path):
                return None
        return path, issuer_copy

    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for ref in self.bnode_quads:
            by_hash.setdefault(self.hash_first_degree(ref), []).append(ref)
        shared: list[list[str]] = []
        for digest in sorted(by_hash):
            refs = by_hash[digest]
            if len(refs) == 1:
                self.canonical.issue(refs[0])
            else:
                shared.append(refs)
        self.remaining_deep = sum(len(refs) for refs in shared) ** self.max_work_factor
        for refs in shared:
            results = []
            for ref in refs:
                if ref in self.canonical.issued:
                    continue
                temporary = _Issuer("b")
                temporary.issue(ref)
                results.append(self.hash_n_degree(ref, temporary))
            for _digest, result_issuer in sorted(results, key=lambda r: r[0]):
                for existing in result_issuer.issued:
                    self.canonical.issue(existing)
        return "".join(sorted(serialize_quad(q, self.canonical.issued) for q in self.quads))


def canonicalize(
    quads: Iterable[Quad],
    *,
    max_work_factor: int = DEFAULT_MAX_WORK_FACTOR,
    max_permutations: int = DEFAULT_MAX_PERMUTATIONS,
) -> str:
    """The RDFC-1.0 serialized canonical form of a dataset (a set: duplicate quads count once)."""
    unique = list(dict.fromkeys(quads))
    return _Canonicalizer(unique, max_work_factor, max_permutations).run()
