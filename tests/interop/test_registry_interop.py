"""What the registry issues, as a whole, checked by the independent Node verifier: Open Badges 3.0
credentials signed by Assay's did:web issuer, with revocation and suspension status lists, before
and after revocation and key rotation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock, SystemClock
from assay.core.roles import Role
from assay.services import accounts, issuance, keys, roles, standards, statuslists
from assay.services.runtime import Runtime
from tests.interop.conftest import Harness
from tests.services.conftest import People

pytestmark = pytest.mark.interop


def node_verify(harness: Harness, db: Session, rt: Runtime, credential: dict[str, Any]) -> dict[str, Any]:
    did_doc = harness.write(keys.did_document(db, rt))
    args = [
        "verify.mjs",
        str(harness.write(credential)),
        "--now",
        rt.clock.now().isoformat().replace("+00:00", "Z"),
        "--did-document",
        f"{rt.settings.issuer_did}={did_doc}",
    ]
    for url, document in statuslists.all_published(db, rt).items():
        args += ["--status-list", f"{url}={harness.write(document)}"]
    done = harness.run(*args)
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_issued_credentials_verify_in_node_until_revoked(
    harness: Harness, db: Session, rt: Runtime, people: People, clock: FrozenClock
) -> None:
    # The Node verifier checks status list credentials against its own wall clock, whatever --now
    # says: issue at the real time so the lists are current for it too.
    clock.set(SystemClock().now())
    standards.import_standard(db, rt)
    for name in ("Jonas", "Priya", "Sam", "Lee"):
        people.make(name)
    roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    roles.grant(db, rt, actor=None, email="priya@example.org", role=Role.REGISTRAR)
    registrar = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]

    def issue_for(email: str) -> Any:
        decision = issuance.create_decision(
            db,
            rt,
            programme_id="certified-ai-integrator",
            subjects=[issuance.SubjectInput(email, results=[{"description": "exam-score", "value": "80"}])],
            graded_by_email="jonas@example.org",
            rationale="Passed ✓ — naïve “quotes”, tabs\tand 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.",
        )
        issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
        [credential] = issuance.issue(db, rt, decision_id=decision.id)
        return credential

    sam = issue_for("sam@example.org")
    statuslists.publish(db, rt)
    report = node_verify(harness, db, rt, json.loads(sam.document))
    assert report["verified"] is True, report
    assert report["verificationMethods"] == [f"{rt.settings.issuer_did}#key-1"]
    assert {s["statusPurpose"]: s["set"] for s in report["status"]} == {"revocation": False, "suspension": False}

    keys.rotate(db, rt)
    lee = issue_for("lee@example.org")
    statuslists.publish(db, rt)
    for credential in (sam, lee):  # the retired key's credential still verifies beside the new key's
        assert node_verify(harness, db, rt, json.loads(credential.document))["verified"] is True

    issuance.change_state(db, rt, registrar=registrar, public_id=sam.public_id, action="suspend", reason="Under review")
    statuslists.publish(db, rt)
    suspended = node_verify(harness, db, rt, json.loads(sam.document))
    assert suspended["verified"] is False
    assert {s["statusPurpose"]: s["set"] for s in suspended["status"]}.get("suspension") is True
    issuance.change_state(db, rt, registrar=registrar, public_id=sam.public_id, action="revoke", reason="Misconduct")
    statuslists.publish(db, rt)
    assert node_verify(harness, db, rt, json.loads(sam.document))["verified"] is False
    assert node_verify(harness, db, rt, json.loads(lee.document))["verified"] is True
