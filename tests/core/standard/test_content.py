"""The shipped content: reference lists complete, the default standard as the issue describes it."""

from __future__ import annotations

import re

from assay.core.standard.diff import diff_versions
from assay.core.standard.model import ReferenceList, Standard, VersionStatus


def test_reference_lists_have_their_published_counts(references: dict[tuple[str, str], ReferenceList]) -> None:
    counts = {key: len(ref.entries) for key, ref in references.items()}
    assert counts == {("nist-ai-rmf", "1.0"): 72, ("iso-iec-42001", "2023"): 38, ("owasp-llm-top10", "2025"): 10}


def test_nist_subcategories_per_function(references: dict[tuple[str, str], ReferenceList]) -> None:
    ids = [e.id for e in references[("nist-ai-rmf", "1.0")].entries]
    per_function = {f: sum(1 for i in ids if i.startswith(f + " ")) for f in ("GOVERN", "MAP", "MEASURE", "MANAGE")}
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}
    assert all(re.fullmatch(r"(GOVERN|MAP|MEASURE|MANAGE) \d\.\d{1,2}", i) for i in ids)


def test_iso_and_owasp_ids(references: dict[tuple[str, str], ReferenceList]) -> None:
    iso = [e.id for e in references[("iso-iec-42001", "2023")].entries]
    assert iso[0] == "A.2.2" and iso[-1] == "A.10.4" and len(set(iso)) == 38
    owasp = [e.id for e in references[("owasp-llm-top10", "2025")].entries]
    assert owasp == [f"LLM{n:02d}" for n in range(1, 11)]


def test_reference_titles_are_short_paraphrases(references: dict[tuple[str, str], ReferenceList]) -> None:
    for ref in references.values():
        assert ref.note and "paraphrase" in ref.note
        for entry in ref.entries:
            assert len(entry.title.split()) <= 12, entry.id


PRODUCT_DOMAINS = {
    "IG": "input governance",
    "OV": "output validation",
    "RD": "retrieval",
    "DR": "deployment readiness",
    "OBS": "monitoring",
    "HO": "human oversight",
    "SR": "resilience",
    "VD": "vendor",
    "IA": "incident",
    "AT": "adversarial",
}


def test_default_standard_covers_the_product_domains(default_standard: Standard) -> None:
    latest = default_standard.latest_published()
    assert latest is not None and latest.version == "1.1"
    titles = {d.id: d.title.lower() for d in latest.domains}
    assert set(titles) == set(PRODUCT_DOMAINS)
    for domain_id, word in PRODUCT_DOMAINS.items():
        assert word.split()[0] in titles[domain_id] or word in titles[domain_id], (domain_id, titles[domain_id])
    for domain in latest.domains:
        assert 4 <= len(domain.controls) <= 7


def test_versions_and_statuses(default_standard: Standard) -> None:
    assert [(v.version, v.status) for v in default_standard.versions] == [
        ("1.0", VersionStatus.RETIRED),
        ("1.1", VersionStatus.PUBLISHED),
    ]


def test_1_1_is_a_real_revision(default_standard: Standard) -> None:
    old, new = default_standard.versions
    d = diff_versions(old, new)
    assert len(d.added) >= 1
    assert len(d.changed) >= 1
    assert len(d.splits) >= 1
    assert len(d.retired) >= 1
    for change in new.changes:
        assert len(change.rationale.split()) >= 25, "each change explains itself"


def test_every_control_is_complete(default_standard: Standard) -> None:
    for version in default_standard.versions:
        for control in version.controls():
            assert len(control.evidence_examples) >= 2
            assert len(control.failure_modes) >= 2
            assert any(x.framework == "nist-ai-rmf" for x in control.crosswalk), control.id
