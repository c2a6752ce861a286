"""Scrubbing realistic personal data and secrets out of case-study text."""

from __future__ import annotations

from assay.core.scrub import scrub

INCIDENT = """At 02:14 the on-call engineer, Sarah Mitchell (sarah.mitchell@acme-logistics.co.uk,
+44 20 7946 0958), was paged by Dr Okafor after the claims agent approved 312 refunds. The vendor key
AKIAIOSFODNN7EXAMPLE and sk-proj-9fJ2kL0pQ8rT5vW1xY3zA7bC6dE4 were in the prompt log at
https://grafana.acme.internal/d/abc?user=smitchell. A customer's card 4111 1111 1111 1111 and SSN
123-45-6789 sat in a retrieval chunk; so did NI number AB 12 34 56 C. The gateway at 10.2.3.4 kept
retrying. Mobile: 07700 900123; US desk (415) 555-0132. password=hunter2-Prod! was in the env dump.
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
-----END RSA PRIVATE KEY-----
Acme Logistics lost a day; Priya from the platform team rebuilt the index."""


def test_personal_data_and_secrets_are_removed() -> None:
    result = scrub(INCIDENT, names=["Acme Logistics"])
    text = result.text
    for leaked in (
        "Sarah",
        "Mitchell",
        "acme-logistics",
        "7946",
        "Okafor",
        "AKIA",
        "sk-proj",
        "grafana",
        "4111",
        "123-45-6789",
        "AB 12",
        "10.2.3.4",
        "07700",
        "555-0132",
        "hunter2",
        "eyJhbGci",
        "MIIEow",
        "Acme Logistics",
        "Priya",
    ):
        assert leaked not in text, leaked
    assert {"name", "email", "phone", "secret", "link", "card", "id-number", "ip"} <= set(result.removed)


def test_ordinary_engineering_text_survives() -> None:
    text = "Version 2.4.1 shipped on 2026-03-12; p99 fell from 1450 ms to 320 ms at 1,200 requests a minute. The Retrieval Layer team owns it."
    result = scrub(text)
    assert result.text == text and result.total == 0
