"""JSON-LD: shipped contexts only (never the network), limits, strict parsing, and the safe mode."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.credentials import jsonld
from assay.core.credentials.jsonld import (
    SHIPPED_CONTEXTS,
    ContextNotAllowed,
    DocumentLoader,
    DocumentTooDeep,
    DocumentTooLarge,
    InvalidJsonLd,
    Limits,
    MalformedDocument,
    UnsafeDocument,
    find_unsafe_terms,
    parse_json,
    to_dataset,
)
from assay.core.credentials.rdfc import CanonicalizationError, canonicalize
from tests.core.credentials.conftest import EXAMPLES_CONTEXT_URL, interop_dir

VC = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

# Pinned: a changed context changes what every signature means, so it must be a deliberate act.
CONTEXT_SHA256 = {
    "credentials-v2.jsonld": "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    "credentials-status-v1.jsonld": "fd08cbf28ddd829ab2f1978c48f43ab07a112c1c90245a0cfac7ba721c65170c",
    "data-integrity-v2.jsonld": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
    "multikey-v1.jsonld": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    "ob-v3p0-context-3.0.3.json": "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
}


def ob3_credential() -> dict[str, Any]:
    return json.loads((interop_dir() / "samples" / "ob3-unsigned.json").read_text("utf-8"))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- contexts --------------------------------------------------------------------------------


def test_each_shipped_context_is_pinned_and_served_by_exact_url() -> None:
    files = jsonld.importlib.resources.files("assay.core.credentials") / "contexts"
    assert set(SHIPPED_CONTEXTS.values()) == set(CONTEXT_SHA256)
    for url, name in SHIPPED_CONTEXTS.items():
        data = (files / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == CONTEXT_SHA256[name], name
        assert DocumentLoader()(url)["document"] == json.loads(data)
    assert (files / "SOURCES.md").is_file()


def test_the_open_badges_context_is_1edtechs_own() -> None:
    published = interop_dir() / "vectors" / "1edtech-ob3" / "context-3.0.3.json"
    shipped = jsonld.importlib.resources.files("assay.core.credentials") / "contexts" / "ob-v3p0-context-3.0.3.json"
    assert shipped.read_bytes() == published.read_bytes()


def test_the_vc_context_defines_the_bitstring_status_list_terms() -> None:
    context = DocumentLoader()(VC)["document"]["@context"]
    for term in ("BitstringStatusListCredential", "BitstringStatusList", "BitstringStatusListEntry"):
        assert term in context


def test_the_examples_context_is_not_shipped() -> None:
    with pytest.raises(ContextNotAllowed):
        DocumentLoader()(EXAMPLES_CONTEXT_URL)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/my-context.jsonld",
        "https://www.w3.org/ns/credentials/v2/",  # near misses are misses
        "http://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/citizenship/v4rc1",
    ],
)
def test_unknown_contexts_are_refused_naming_the_url_without_network(url: str, no_network: None) -> None:
    document = {"@context": [VC, url], "type": ["VerifiableCredential"]}
    with pytest.raises(ContextNotAllowed) as refused:
        to_dataset(document)
    assert refused.value.url == url
    assert url in refused.value.message


def test_a_context_importing_an_unknown_one_is_refused(no_network: None) -> None:
    document = {"@context": {"@import": "https://evil.example/ctx", "name": "https://schema.org/name"}, "name": "x"}
    with pytest.raises(ContextNotAllowed, match=r"evil\.example"):
        to_dataset(document)


def test_loaders_do_not_share_processed_contexts() -> None:
    extra = DocumentLoader({EXAMPLES_CONTEXT_URL: {"@context": {"@vocab": "https://example.org/#"}}})
    document = {"@context": [VC, EXAMPLES_CONTEXT_URL], "@id": "urn:x", "foo": "bar"}
    assert to_dataset(document, loader=extra)
    with pytest.raises(ContextNotAllowed):
        to_dataset(document)


# --- limits and parsing ----------------------------------------------------------------------


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"@id": "urn:leaf"}
    for _ in range(depth - 1):
        value = {"@id": "urn:x", "https://schema.org/knows": value}
    return value


def test_depth_limit() -> None:
    jsonld.check_limits(nested(64))
    with pytest.raises(DocumentTooDeep):
        jsonld.check_limits(nested(65))
    with pytest.raises(DocumentTooDeep):
        to_dataset(nested(65))
    jsonld.check_limits(nested(10), Limits(max_depth=10))
    with pytest.raises(DocumentTooDeep):
        jsonld.check_limits(nested(11), Limits(max_depth=10))


def test_size_limit() -> None:
    big = {"@context": {"n": "https://schema.org/name"}, "@id": "urn:x", "n": "x" * (1024 * 1024)}
    with pytest.raises(DocumentTooLarge):
        jsonld.check_limits(big)
    with pytest.raises(DocumentTooLarge):
        parse_json(json.dumps(big))
    jsonld.check_limits(big, Limits(max_bytes=2 * 1024 * 1024))


def test_parse_json_is_strict() -> None:
    assert parse_json(b'{"a": 1}') == {"a": 1}
    for bad in ('{"a": 1, "a": 2}', '{"a": NaN}', '{"a": Infinity}', "[1]", "{", b"\xff{}"):
        with pytest.raises(MalformedDocument):
            parse_json(bad)
    with pytest.raises(DocumentTooDeep):
        parse_json("[" * 100_000 + "]" * 100_000)


def test_only_json_values_are_accepted() -> None:
    for bad in ({"a": float("nan")}, {"a": (1, 2)}, {"a": {1: "x"}}, {"a": b"x"}):
        with pytest.raises(MalformedDocument):
            jsonld.check_limits(bad)


# --- safe mode -------------------------------------------------------------------------------


def paths(document: dict[str, Any], loader: DocumentLoader | None = None) -> dict[str, str]:
    return {p.path: p.reason for p in find_unsafe_terms(document, loader=loader)}


def test_a_clean_open_badge_has_no_unsafe_terms() -> None:
    assert find_unsafe_terms(ob3_credential()) == ()


def test_a_misspelt_term_in_an_open_badge_is_refused_with_its_path() -> None:
    # VC 2.0 has no @vocab, so the misspelling would be silently dropped, and left unsigned.
    credential = ob3_credential()
    credential["credentialSubject"]["achievement"]["descripton"] = "Passed with distinction."
    with pytest.raises(UnsafeDocument) as refused:
        to_dataset(credential)
    (problem,) = refused.value.problems
    assert problem.path == "$.credentialSubject.achievement.descripton"
    assert problem.term == "descripton"
    assert "not defined" in problem.reason
    assert refused.value.fields == {problem.path: problem.reason}


def test_a_document_bringing_its_own_vocab_is_accepted(examples_loader: DocumentLoader) -> None:
    # The W3C examples context (used by the test vectors) has @vocab, so its undefined terms expand.
    credential = ob3_credential()
    credential["@context"].append(EXAMPLES_CONTEXT_URL)
    credential["credentialSubject"]["favouriteColour"] = "green"
    assert paths(credential, examples_loader) == {}
    inline = {"@context": [VC, {"@vocab": "https://example.org/vocab#"}], "type": ["VerifiableCredential"], "x": 1}
    assert paths(inline) == {}


def test_a_context_without_vocab_drops_every_unknown_term() -> None:
    document = {
        "@context": {"name": "https://schema.org/name", "knows": {"@id": "https://schema.org/knows", "@type": "@id"}},
        "@id": "urn:ex:a",
        "name": "A",
        "nickname": "B",
        "friend": {"@id": "urn:ex:b", "name": "B"},
    }
    assert set(paths(document)) == {"$.nickname", "$.friend"}


def test_relative_identifiers_and_references_are_refused() -> None:
    credential = ob3_credential()
    credential["credentialSubject"]["id"] = "learner-42"
    credential["credentialSubject"]["achievement"]["id"] = "achievements/python"
    found = paths(credential)
    assert set(found) == {"$.credentialSubject.id", "$.credentialSubject.achievement.id"}
    assert all("absolute IRI" in reason for reason in found.values())
    plain = {"@context": [VC], "type": ["VerifiableCredential"], "issuer": "example-issuer", "credentialSubject": {}}
    assert set(paths(plain)) == {"$.issuer"}


def test_keyword_lookalikes_and_blank_node_properties_are_refused() -> None:
    credential = ob3_credential()
    credential["credentialSubject"]["@comment"] = "not a keyword"
    found = paths(credential)
    assert list(found) == ['$.credentialSubject["@comment"]']
    blank_property = {"@context": {"b": "_:b0"}, "@id": "urn:x", "b": "value"}
    assert "blank node" in paths(blank_property)["$.b"]


def test_types_that_do_not_expand_are_refused() -> None:
    document = {"@context": {"@version": 1.1}, "@id": "urn:x", "@type": ["urn:ok", "Relative"]}
    assert set(paths(document)) == {'$["@type"]'}


def test_a_term_mapped_to_null_is_refused() -> None:
    credential = ob3_credential()
    credential["@context"] = [*credential["@context"], {"private": None}]
    credential["private"] = "secret"
    assert set(paths(credential)) == {"$.private"}


def test_iris_with_characters_an_iri_cannot_hold_are_refused() -> None:
    document = {"@context": {"@version": 1.1}, "@id": "urn:x", "https://schema.org/knows": {"@id": "urn:a>b"}}
    assert "characters" in paths(document)['$["https://schema.org/knows"]["@id"]']
    coerced = {
        "@context": {"knows": {"@id": "https://schema.org/knows", "@type": "@id"}},
        "@id": "urn:x",
        "knows": 'urn:a"b',
    }
    assert "characters" in paths(coerced)["$.knows"]


def test_language_tags_must_be_tags() -> None:
    document = {
        "@context": {"n": "https://schema.org/name"},
        "@id": "urn:x",
        "n": {"@value": "x", "@language": "en GB"},
    }
    assert set(paths(document)) == {'$.n["@language"]'}
    document["n"]["@language"] = "en-GB"
    assert paths(document) == {}


def test_values_inside_lists_are_checked() -> None:
    document = {
        "@context": {"items": {"@id": "https://schema.org/itemListElement", "@container": "@list", "@type": "@id"}},
        "@id": "urn:x",
        "items": ["urn:a", "relative"],
    }
    assert set(paths(document)) == {"$.items"}


def test_invalid_json_ld_is_an_error_not_a_crash() -> None:
    credential = ob3_credential()
    credential["@context"].append({"id": "https://example.org/id"})  # redefines a protected term
    with pytest.raises(InvalidJsonLd, match="protected term redefinition"):
        to_dataset(credential)


def test_the_caller_document_is_never_modified() -> None:
    credential = ob3_credential()
    before = copy.deepcopy(credential)
    to_dataset(credential)
    assert credential == before


def test_reserved_names_in_inline_contexts_are_refused_before_processing() -> None:
    document = {
        "@context": [{"@foo": "urn:x", "a": "@bar", "b": {"@id": "urn:b", "@context": {"c": {"@reverse": "@baz"}}}}],
        "@id": "urn:x",
    }
    assert list(paths(document)) == [
        '$["@context"][0]["@foo"]',
        '$["@context"][0].a',
        '$["@context"][0].b["@context"].c',
    ]


# --- never a crash ---------------------------------------------------------------------------

OTHER_KEYS = ["name", "type", "id", "credentialSubject", "https://schema.org/name", "_:b", "ex:foo", "@foo"]
KEYS = st.sampled_from([*sorted(jsonld.KEYWORDS), *OTHER_KEYS])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([VC, OB, "@id", "@vocab", "@list", "urn:x", "_:b0", "rel", "en", "rtl", "@json", "@set"]),
    st.text(max_size=5),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON_VALUES, max_size=6))
def test_arbitrary_json_ld_gives_a_result_or_a_credential_data_error(document: dict[str, Any]) -> None:
    # Warnings are errors in this test suite, so a pyld warning would fail here too.
    with contextlib.suppress(jsonld.CredentialDataError, CanonicalizationError):
        canonicalize(to_dataset(document))
