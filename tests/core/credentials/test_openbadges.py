"""Open Badges 3.0 documents: what we build has every required field; what lacks one is named."""

from __future__ import annotations

import copy

import pytest

from assay.core.credentials.openbadges import (
    CredentialContent,
    EvidenceSpec,
    IssuerProfile,
    Programme,
    ResultDescriptionSpec,
    ResultSpec,
    StandardAlignment,
    SubjectIdentity,
    alignment_of,
    build_credential,
    check_required_fields,
)


def content() -> CredentialContent:
    return CredentialContent(
        id="https://assay.example/credentials/abc",
        issuer=IssuerProfile("did:web:assay.example", "Assay", "https://assay.example"),
        programme=Programme(
            id="https://assay.example/programmes/certified-ai-integrator",
            name="Certified AI Integrator",
            description="Integrates language models into production to the standard.",
            criteria="Passed the exam and two practical tasks.",
            version="1.0",
            result_descriptions=(
                ResultDescriptionSpec("https://assay.example/programmes/cai#exam", "Exam", "ScaledScore", "0", "100"),
            ),
        ),
        subject=SubjectIdentity.hashed("sam@example.org", salt="0123456789abcdef"),
        alignment=StandardAlignment("Assay PAE Standard", "1.1", "https://assay.example/standard/1.1", "ab" * 32),
        valid_from="2026-02-01T00:00:00Z",
        valid_until="2028-02-01T00:00:00Z",
        results=(ResultSpec("https://assay.example/programmes/cai#exam", value="82"),),
        evidence=(EvidenceSpec("https://assay.example/evidence/1", "Practical task 1"),),
    )


def test_built_credential_has_every_required_field() -> None:
    doc = build_credential(content())
    assert check_required_fields(doc) == []
    assert doc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_the_standard_version_travels_as_an_alignment() -> None:
    doc = build_credential(content())
    [alignment] = doc["credentialSubject"]["achievement"]["alignment"]
    assert alignment["targetCode"] == "ab" * 32
    assert alignment["targetUrl"] == "https://assay.example/standard/1.1"
    back = alignment_of(doc)
    assert back is not None and back.version == "1.1" and back.content_hash == "ab" * 32


def test_subject_identity_is_a_salted_hash() -> None:
    doc = build_credential(content())
    [identity] = doc["credentialSubject"]["identifier"]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "sam@example.org" not in str(doc)
    assert SubjectIdentity(identity["identityHash"], salt=identity["salt"]).matches("sam@example.org")
    assert not SubjectIdentity(identity["identityHash"], salt=identity["salt"]).matches("eve@example.org")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("name",), "$.name: required"),
        (("credentialSubject", "achievement", "criteria"), "achievement.criteria: required"),
        (("issuer", "id"), "$.issuer.id: required"),
        (("credentialSubject", "achievement", "alignment", 0, "targetUrl"), "alignment[0].targetUrl: required"),
    ],
)
def test_missing_required_fields_are_named(path: tuple[str | int, ...], message: str) -> None:
    doc = copy.deepcopy(build_credential(content()))
    node = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    problems = check_required_fields(doc)
    assert any(message in p for p in problems), problems


def test_wrong_contexts_and_types() -> None:
    doc = build_credential(content())
    doc["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    doc["type"] = ["OpenBadgeCredential"]
    problems = check_required_fields(doc)
    assert any("Open Badges 3.0 context" in p for p in problems)
    assert any("VerifiableCredential" in p for p in problems)
