"""RDFC-1.0: canonical N-Quads escaping (Appendix A), blank node labelling, ordering and poison limits."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.credentials import rdfc
from assay.core.credentials.jsonld import DocumentLoader, to_dataset
from assay.core.credentials.rdfc import Quad, Term, blank, canonicalize, escape_literal, iri, literal, serialize_quad

S, P = iri("urn:ex:s"), iri("urn:ex:p")
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

# RDFC-1.0 Appendix A, written out by hand from the Recommendation, one code point at a time.
ECHAR = {0x08: r"\b", 0x09: r"\t", 0x0A: r"\n", 0x0C: r"\f", 0x0D: r"\r", 0x22: r"\"", 0x5C: "\\\\"}
UCHAR = [*range(0x00, 0x08), 0x0B, *range(0x0E, 0x20), 0x7F]


def test_every_c0_control_and_del_is_escaped_as_the_recommendation_says() -> None:
    for code in range(0x20):
        expected = ECHAR.get(code, f"\\u{code:04X}")
        assert escape_literal(chr(code)) == expected, hex(code)
    assert escape_literal("\x7f") == r"\u007F"
    assert sorted(ECHAR) == [0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x22, 0x5C]
    assert all(escape_literal(chr(c)).startswith(r"\u00") for c in UCHAR)


def test_hex_is_uppercase_and_u_is_lowercase() -> None:
    assert escape_literal("\x1b\x1f\x0b") == r"\u001B\u001F\u000B"


def test_quotes_and_backslashes_use_echar_never_uchar() -> None:
    assert escape_literal('say "hi" \\ \\\\') == r"say \"hi\" \\ \\\\"
    assert escape_literal("'") == "'"  # the single quote is allowed raw


def test_everything_else_is_written_raw() -> None:
    text = "é ∞ 中文 \u00a0 \u2028 \u2029 \u0080 \u009f 🌃 𝄞 \U0010fffd"
    assert escape_literal(text) == text


def test_non_xml_chars_are_uchar() -> None:
    assert escape_literal("\ufffe\uffff") == r"\uFFFE\uFFFF"
    assert escape_literal("a\ud800b") == r"a\uD800b"


@given(st.text())
def test_escaping_is_reversible_and_leaves_no_raw_control(value: str) -> None:
    escaped = escape_literal(value)
    assert not re.search(r'[\x00-\x1f\x7f"]', escaped.replace('\\"', ""))
    unescaped = re.sub(
        r"\\(u[0-9A-F]{4}|[btnfr\"\\])",
        lambda m: (
            chr(int(m[1][1:], 16))
            if m[1][0] == "u"
            else {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}.get(m[1], m[1])
        ),
        escaped,
    )
    assert unescaped == value


def test_literal_forms() -> None:
    assert serialize_quad(Quad(S, P, literal("x"))) == '<urn:ex:s> <urn:ex:p> "x" .\n'
    assert serialize_quad(Quad(S, P, literal("x", language="en-GB"))) == '<urn:ex:s> <urn:ex:p> "x"@en-GB .\n'
    dated = literal("2024-01-01T00:00:00Z", XSD_DATETIME)
    assert serialize_quad(Quad(S, P, dated, iri("urn:g"))) == (
        f'<urn:ex:s> <urn:ex:p> "2024-01-01T00:00:00Z"^^<{XSD_DATETIME}> <urn:g> .\n'
    )
    assert serialize_quad(Quad(blank("b0"), P, blank("b1"), blank("g"))) == "_:b0 <urn:ex:p> _:b1 _:g .\n"


def test_iris_escape_what_iriref_cannot_hold() -> None:
    assert serialize_quad(Quad(S, P, iri("urn:ex:a b>"))) == r"<urn:ex:s> <urn:ex:p> <urn:ex:a\u0020b\u003E> ." + "\n"


def test_json_ld_literals_with_every_control_character_canonicalize_exactly() -> None:
    name = "".join(chr(c) for c in range(0x20)) + '\x7f"\\🌃'
    document = {"@context": {"name": "https://schema.org/name"}, "@id": "urn:ex:s", "name": name}
    expected = (
        '<urn:ex:s> <https://schema.org/name> "'
        + r"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F"
        + r"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + r"\u007F\"\\🌃"
        + '" .\n'
    )
    assert canonicalize(to_dataset(document, loader=DocumentLoader())) == expected


def test_lines_are_sorted_by_code_point_not_utf16() -> None:
    # U+FF01 < U+1F303 by code point; in UTF-16 (JavaScript's sort) the surrogate 0xD83C sorts first.
    quads = [Quad(S, P, literal("\U0001f303")), Quad(S, P, literal("\uff01"))]
    lines = canonicalize(quads).splitlines()
    assert lines == ['<urn:ex:s> <urn:ex:p> "\uff01" .', '<urn:ex:s> <urn:ex:p> "\U0001f303" .']


def test_a_dataset_is_a_set() -> None:
    quad = Quad(S, P, literal("x"))
    assert canonicalize([quad, quad]) == canonicalize([quad])


# --- blank node labelling --------------------------------------------------------------------

_LINE = re.compile(r"^(\S+) (<[^>]*>) (<[^>]*>|_:\S+|\"(?:[^\"\\]|\\.)*\"(?:@\S+|\^\^<[^>]*>)?)(?: (\S+))? \.$")


def _node(text: str) -> Term:
    return blank(text[2:]) if text.startswith("_:") else iri(text[1:-1])


def _object(text: str) -> Term:
    if not text.startswith('"'):
        return _node(text)
    body, _, suffix = text[1:].rpartition('"')
    value = body.replace('\\"', '"').replace("\\\\", "\\")
    if suffix.startswith("@"):
        return literal(value, language=suffix[1:])
    return literal(value, suffix[3:-1]) if suffix else literal(value)


def parse_nquads(document: str) -> list[Quad]:
    """Enough of N-Quads for canonical test data: one quad per line, simple literals."""
    quads = []
    for line in document.splitlines():
        match = _LINE.match(line)
        assert match, line
        s, p, o, g = match.groups()
        quads.append(Quad(_node(s), _node(p), _object(o), _node(g) if g else None))
    return quads


def relabel(quads: list[Quad], rng: random.Random) -> list[Quad]:
    """The same dataset with fresh, shuffled blank node labels and quads in a random order."""
    old = sorted(
        {t.value for q in quads for t in (q.subject, q.object, q.graph) if t and t.kind is rdfc.TermKind.BLANK}
    )
    new = [f"x{i}" for i in range(len(old))]
    rng.shuffle(new)
    labels = dict(zip(old, new, strict=True))

    def term(t: Term | None) -> Term | None:
        return blank(labels[t.value]) if t is not None and t.kind is rdfc.TermKind.BLANK else t

    result = [Quad(term(q.subject), q.predicate, term(q.object), term(q.graph)) for q in quads]  # type: ignore[arg-type]
    rng.shuffle(result)
    return result


def test_the_employment_vector_canonical_form_is_reached_from_any_labelling(vectors: Path) -> None:
    expected = (vectors / "eddsa-rdfc-2022" / "employ" / "canonDocDataInt.txt").read_text("utf-8")
    quads = parse_nquads(expected)
    rng = random.Random(7)
    for _ in range(25):
        assert canonicalize(relabel(quads, rng)) == expected


def _cycle(n: int, prefix: str = "n") -> list[Quad]:
    return [Quad(blank(f"{prefix}{i}"), P, blank(f"{prefix}{(i + 1) % n}")) for i in range(n)]


def test_symmetric_graphs_need_n_degree_hashing_and_stay_canonical() -> None:
    # Two 3-cycles, one marked: five blank nodes share a first-degree hash, so the labels come
    # from Hash N-Degree Quads. The default budget (as rdf-canonize's) refuses this much work.
    quads = _cycle(3, "a") + _cycle(3, "b") + [Quad(blank("a0"), iri("urn:ex:mark"), literal("x"))]
    with pytest.raises(rdfc.CanonicalizationError):
        canonicalize(quads)
    expected = canonicalize(quads, max_work_factor=3)
    assert expected.count("_:c14n") == 13  # 7 quads, 6 of them with two blank nodes
    rng = random.Random(1)
    for _ in range(20):
        assert canonicalize(relabel(quads, rng), max_work_factor=3) == expected


def test_identical_siblings_fit_the_default_budget() -> None:
    # The common shape in credentials: a subject with several identical blank-node values.
    quads = [Quad(S, P, blank(f"r{i}")) for i in range(5)]
    quads += [Quad(blank(f"r{i}"), iri("urn:ex:value"), literal("A")) for i in range(5)]
    assert canonicalize(quads).count("_:c14n") == 10


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 5)), min_size=1, max_size=12), st.randoms()
)
def test_any_small_graph_has_one_canonical_form(edges: list[tuple[int, int, int]], rng: random.Random) -> None:
    quads = [Quad(blank(f"n{s}"), iri(f"urn:ex:p{p}"), blank(f"n{o}")) for s, p, o in edges]
    assert canonicalize(relabel(quads, rng), max_work_factor=3) == canonicalize(quads, max_work_factor=3)


def test_a_poison_dataset_is_refused() -> None:
    # A large single cycle: every node shares its first-degree hash and each N-degree run recurses
    # around the whole ring, far beyond the linear budget rdf-canonize also uses.
    with pytest.raises(rdfc.CanonicalizationError, match="poison"):
        canonicalize(_cycle(40))


def test_permutations_are_capped() -> None:
    # Two indistinguishable hubs, each pointing at seven indistinguishable leaves: 7! orderings each.
    quads = [Quad(blank(f"hub{h}"), P, blank(f"leaf{h}_{i}")) for h in range(2) for i in range(7)]
    with pytest.raises(rdfc.CanonicalizationError, match="permutations"):
        canonicalize(quads, max_work_factor=4, max_permutations=1000)
