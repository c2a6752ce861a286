"""Certification over HTTP: programme pages, an exam through its pages and the API, a task
submission with its refusals, blind review, and a decision with its separation of duties."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.core.roles import Role
from assay.db.models import AuditEntry
from assay.db.repositories import certification as certification_repo
from assay.services import accounts, panel, roles, standards
from assay.services import programmes as content
from tests.certifying import GOOD_ANSWER, choice_for, grant
from tests.web.conftest import PASSWORD, csrf_from, post_form, sign_up


def _setup(client: TestClient, rt: Any, *staff: tuple[str, str, Role]) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        for email, name, role in staff:
            accounts.sign_up(db, rt, email=email, display_name=name, password=PASSWORD)
            roles.grant(db, rt, actor=None, email=email, role=role)
        db.commit()


def _sign_in(client: TestClient, email: str) -> None:
    response = post_form(client, "/account/signin", {"email": email, "password": PASSWORD})
    assert response.status_code == 303  # type: ignore[attr-defined]


def _audit_actions(client: TestClient) -> list[str]:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        return [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_programme_pages_are_public_and_complete(client: TestClient, rt: Any) -> None:
    listing = client.get("/programmes")
    assert listing.status_code == 200
    for p in content.all_programmes():
        assert f'href="/programmes/{p.id}"' in listing.text
        page = client.get(f"/programmes/{p.id}")
        assert page.status_code == 200 and p.name in page.text and "Passing rule" in page.text
    foundation = client.get("/programmes/foundation").text
    assert "Blueprint" in foundation and "75 minutes" in foundation
    assert client.get("/programmes/no-such").status_code == 404
    api = client.get("/api/v1/programmes/certified-ai-integrator").json()
    assert api["exam"]["items"] == 60 and api["prerequisites"] == ["foundation"]


def test_an_exam_through_the_pages(client: TestClient, rt: Any, clock: Any) -> None:
    _setup(client, rt)
    sign_up(client, "Kim Okafor", "kim@example.org")
    intro = client.get("/certification/foundation/exam")
    assert intro.status_code == 200 and "honour code" in intro.text.lower()
    token = csrf_from(client, "/certification/foundation/exam")
    wrong = client.post(
        "/certification/foundation/exam", data={"csrf_token": token, "identity_name": "Someone Else", "honour": "yes"}
    )
    assert wrong.status_code == 400 and "exactly as it is on your account" in wrong.text
    assert "exam.start_refused" in _audit_actions(client)  # the refusal is recorded
    started = client.post(
        "/certification/foundation/exam",
        data={"csrf_token": token, "identity_name": "Kim Okafor", "honour": "yes"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    q1_url = started.headers["location"]
    attempt_id = q1_url.split("/")[2]
    page = client.get(q1_url)
    assert page.status_code == 200 and "75:00</span>" in page.text and 'src="/static/exam.js"' in page.text
    empty = client.post(q1_url, data={"csrf_token": csrf_from(client, q1_url)})
    assert empty.status_code == 400 and "error-summary" in empty.text
    flagged = client.post(
        f"{q1_url}/flag",
        data={"csrf_token": csrf_from(client, q1_url), "reason": "ambiguous", "comment": "b and c"},
        follow_redirects=False,
    )
    assert flagged.status_code == 303
    view = client.get(f"/api/v1/exams/{attempt_id}").json()
    first = content.secure_item(f"{view['items'][0]['id']}@{view['items'][0]['version']}")
    for option in first.options:
        assert option.rationale not in page.text
    kind_fields = (
        {"choice": choice_for(first, right=True)}
        if first.kind.value != "ordering"
        else {f"pos-{o}": str(n) for n, o in enumerate(choice_for(first, right=True), start=1)}
    )
    saved = client.post(q1_url, data={"csrf_token": csrf_from(client, q1_url), **kind_fields}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("/q/2")
    review = client.get(f"/exams/{attempt_id}/review")
    assert "1 of 45 answered" in review.text and "flagged" in review.text
    clock.advance(minutes=76)  # the clock runs out with the page open
    late = client.post(
        f"/exams/{attempt_id}/q/2",
        data={"csrf_token": csrf_from(client, f"/exams/{attempt_id}/result"), "choice": "a"},
        follow_redirects=True,
    )
    assert late.status_code == 200 and "Time is up" in late.text and "was not saved" in late.text
    assert "Not passed" in late.text  # one right answer of 40 scored
    actions = _audit_actions(client)
    assert "exam.timed_out" in actions and "exam.answer_refused_late" in actions and "exam.item_flagged" in actions


def test_an_exam_through_the_api(client: TestClient, rt: Any, clock: Any) -> None:
    _setup(client, rt)
    sign_up(client, "Kim Okafor", "kim@example.org")
    headers = {"X-CSRF-Token": client.get("/api/v1/csrf").json()["csrf_token"]}
    refused = client.post(
        "/api/v1/programmes/foundation/exam",
        json={"identity_name": "Kim Okafor", "honour_accepted": False},
        headers=headers,
    )
    assert refused.status_code == 400 and "honour code" in refused.json()["error"]["message"]
    started = client.post(
        "/api/v1/programmes/foundation/exam",
        json={"identity_name": "Kim Okafor", "honour_accepted": True},
        headers=headers,
    )
    assert started.status_code == 201
    view = started.json()
    assert len(view["items"]) == 45 and view["seconds_left"] == 75 * 60
    attempt_id = view["attempt_id"]
    for q in view["items"]:
        item = content.secure_item(f"{q['id']}@{q['version']}")
        r = client.put(
            f"/api/v1/exams/{attempt_id}/answers/{q['id']}",
            json={"choice": choice_for(item, right=True)},
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["saved"] is True
    done = client.post(f"/api/v1/exams/{attempt_id}/submit", headers=headers).json()
    assert done["state"] == "released" and done["result"]["passed"] is True and done["result"]["percent"] == 100.0
    again = client.post(f"/api/v1/exams/{attempt_id}/submit", headers=headers)
    assert again.status_code == 409
    retake = client.post(
        "/api/v1/programmes/foundation/exam",
        json={"identity_name": "Kim Okafor", "honour_accepted": True},
        headers=headers,
    )
    assert retake.status_code == 400 and "already passed" in retake.json()["error"]["message"]


def test_a_task_submission_is_blind_and_refuses_bad_input(
    client: TestClient, other_client: TestClient, rt: Any
) -> None:
    _setup(
        client,
        rt,
        ("jonas@example.org", "Jonas Weber", Role.REVIEWER),
        ("priya@example.org", "Priya Raman", Role.REGISTRAR),
    )
    sign_up(client, "Kim Okafor", "kim@example.org")
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        grant(db, rt, "kim@example.org", "certified-ai-integrator")
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        panel.seat_founding(
            db,
            rt,
            registrar=priya,
            email="jonas@example.org",
            programme_id="specialist-retrieval-governance",
            reason="Founding panel for this specialism.",
        )
        db.commit()
    brief = client.get("/certification/specialist-retrieval-governance/tasks/rag-access-controls")
    assert brief.status_code == 200 and "Artifact quality" in brief.text
    opened = post_form(client, "/certification/specialist-retrieval-governance/tasks/rag-access-controls", {})
    editor_url = opened.headers["location"]  # type: ignore[attr-defined]
    sid = editor_url.rsplit("/", 1)[1]
    token = csrf_from(client, editor_url)
    big = client.post(
        f"{editor_url}/attachments",
        data={"csrf_token": token},
        files={"file": ("big.pdf", b"%PDF-1.4" + b"0" * (5 * 1024 * 1024), "application/pdf")},
    )
    assert big.status_code == 400 and "at most 5 MB" in big.text
    exe = client.post(
        f"{editor_url}/attachments",
        data={"csrf_token": token},
        files={"file": ("run.exe", b"MZ\x90\x00" + bytes(300), "application/octet-stream")},
    )
    assert exe.status_code == 400 and "Windows program" in exe.text
    named = client.post(
        f"/submissions/{sid}/save",
        data={"csrf_token": token, "body": GOOD_ANSWER + "\nBy Kim Okafor.", "then": "submit"},
    )
    assert named.status_code == 400 and "Kim Okafor" in named.text and "could identify you" in named.text
    clean = client.post(
        f"/submissions/{sid}/save",
        data={"csrf_token": token, "body": GOOD_ANSWER, "then": "submit"},
        follow_redirects=False,
    )
    assert clean.status_code == 303
    twice = client.post(f"/submissions/{sid}/save", data={"csrf_token": token, "body": GOOD_ANSWER, "then": "submit"})
    assert twice.status_code in (400, 409) and "already submitted" in twice.text
    assert {"task.attach_refused", "task.save_refused"} <= set(_audit_actions(client))
    _sign_in(other_client, "jonas@example.org")
    queue = other_client.get("/review").text
    ref = re.search(r'href="/review/(S-[A-Z0-9]+)"', queue)
    assert ref is not None
    page = other_client.get(f"/review/{ref.group(1)}").text
    assert "Retrieval design" in page and "Kim" not in page and "kim@" not in page and "Okafor" not in page


def test_a_registrar_decides_a_recommended_record(client: TestClient, other_client: TestClient, rt: Any) -> None:
    _setup(
        client,
        rt,
        ("jonas@example.org", "Jonas Weber", Role.REVIEWER),
        ("priya@example.org", "Priya Raman", Role.REGISTRAR),
    )
    sign_up(client, "Kim Okafor", "kim@example.org")
    headers = {"X-CSRF-Token": client.get("/api/v1/csrf").json()["csrf_token"]}
    view = client.post(
        "/api/v1/programmes/foundation/exam",
        json={"identity_name": "Kim Okafor", "honour_accepted": True},
        headers=headers,
    ).json()
    for q in view["items"]:
        item = content.secure_item(f"{q['id']}@{q['version']}")
        client.put(
            f"/api/v1/exams/{view['attempt_id']}/answers/{q['id']}",
            json={"choice": choice_for(item, right=True)},
            headers=headers,
        )
    client.post(f"/api/v1/exams/{view['attempt_id']}/submit", headers=headers)
    _sign_in(other_client, "jonas@example.org")
    recommended = post_form(
        other_client,
        "/admin/certification/recommend",
        {"email": "kim@example.org", "programme_id": "foundation"},
        token_from="/admin/certification",
    )
    assert recommended.headers["location"] == "/admin/certification?recommended=1"  # type: ignore[attr-defined]
    listing = other_client.get("/admin/certification").text
    assert "Kim Okafor" in listing and "/certification/cases/" not in listing  # records are for registrars
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        [record] = certification_repo.cases(db)
    case_url = f"/certification/cases/{record.id}"
    assert other_client.get(case_url).status_code == 404  # nor can a reviewer open one
    denied = post_form(
        other_client,
        f"/admin/certification/cases/{record.id}/decide",
        {"outcome": "approve", "rationale": "x"},
        token_from="/admin/certification",
    )
    assert denied.status_code == 403  # type: ignore[attr-defined]
    post_form(other_client, "/account/signout", {}, token_from="/")
    _sign_in(other_client, "priya@example.org")
    assert f'href="{case_url}">Kim Okafor' in other_client.get("/admin/certification").text
    approved = post_form(
        other_client,
        f"/admin/certification/cases/{record.id}/decide",
        {"outcome": "approve", "rationale": "100% against 65%."},
        token_from=case_url,
    )
    assert approved.status_code == 303  # type: ignore[attr-defined]
    registrar_view = other_client.get(case_url).text
    assert "Verdict under the rule" in registrar_view and "Credential issued" in registrar_view
    mine = client.get(case_url)
    assert mine.status_code == 200 and "approved" in mine.text and "Appeal this decision" in mine.text
    assert client.get("/certification").status_code == 200
    cred = client.get("/api/v1/certification/cases/" + case_url.rsplit("/", 1)[1]).json()
    assert cred["state"] == "approved" and cred["issuance_decision"]
