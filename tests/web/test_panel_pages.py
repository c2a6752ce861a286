"""The panel, reviewer, item-analysis, pilot and review pages over HTTP: who may see them, and bad
input refused with a reason, recorded."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.db.models import AuditEntry, TaskSubmission
from assay.db.repositories import panel as panel_repo
from assay.services import exams, panel, tasks
from tests.certifying import GOOD_ANSWER, grant, make_cast, principal, take_exam
from tests.web.conftest import PASSWORD, csrf_from, post_form


def _sign_in(client: TestClient, email: str) -> None:
    assert post_form(client, "/account/signin", {"email": email, "password": PASSWORD}).status_code == 303  # type: ignore[attr-defined]


def _setup(client: TestClient, rt: Any) -> dict[str, str]:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        cast = make_cast(db, rt)
        grant(db, rt, "kim@example.org", "certified-ai-integrator")
        panel.seat_founding(
            db,
            rt,
            registrar=principal(db, cast["priya"]),
            email="jonas@example.org",
            programme_id="specialist-retrieval-governance",
            reason="Founding panel for this specialism.",
        )
        s = tasks.open_task(
            db, rt, user=cast["kim"], programme_id="specialist-retrieval-governance", task_id="rag-access-controls"
        )
        tasks.save_draft(db, rt, user_id=cast["kim"].id, submission_id=s.id, body=GOOD_ANSWER)
        tasks.submit(db, rt, user_id=cast["kim"].id, submission_id=s.id)
        take_exam(db, rt, cast["kim"], "foundation", right_share=0.5)
        form_id = exams.attempts_of(db, rt, user_id=cast["kim"].id)[0].form_id
        db.commit()
        return {"ref": s.blind_ref, "jonas": cast["jonas"].id, "form": form_id}


def test_panel_and_reviewer_pages(client: TestClient, other_client: TestClient, rt: Any) -> None:
    ids = _setup(client, rt)
    assert client.get("/panel", follow_redirects=False).status_code in (303, 401)  # signed out
    _sign_in(client, "kim@example.org")
    assert client.get("/panel").status_code == 403
    assert client.get(f"/panel/reviewers/{ids['jonas']}").status_code == 404
    _sign_in(other_client, "jonas@example.org")
    page = other_client.get("/panel")
    assert page.status_code == 200 and "Krippendorff" in page.text and "Founding panel" in page.text
    assert other_client.get(f"/panel/reviewers/{ids['jonas']}").status_code == 200


def test_a_review_page_refuses_bad_input_and_records_it(client: TestClient, rt: Any, clock: Any) -> None:
    ids = _setup(client, rt)
    _sign_in(client, "jonas@example.org")
    queue = client.get("/review").text
    assert ids["ref"] in queue and "first reviewer" in queue
    url = f"/review/{ids['ref']}"
    page = client.get(url).text
    assert "Kim" not in page and "Okafor" not in page and "You are the first reviewer" in page
    form = {"csrf_token": csrf_from(client, url)}
    for d in ("artifact-quality", "reviewable-reasoning", "approval-logic", "handoff-quality"):
        form[f"score-{d}"] = "3"
        form[f"why-{d}"] = (
            "Too short."
            if d == "handoff-quality"
            else "The retriever filter is built from token claims, as the brief requires."
        )
    refused = client.post(url, data=form)
    assert refused.status_code == 400 and "Justify the handoff-quality score" in refused.text
    clock.advance(days=panel.REVIEW_DAYS + 1)
    form["why-handoff-quality"] = "The reconciliation report is named but its owner is not, which an operator needs."
    late = client.post(url, data=form)
    assert late.status_code == 400 and "was due on" in late.text
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        reasons = [e.details for e in db.scalars(select(AuditEntry)) if e.action == "panel.review_refused"]
        assert len(reasons) == 2 and "was due on" in reasons[1]
        s = db.scalars(select(TaskSubmission).where(TaskSubmission.blind_ref == ids["ref"])).one()
        assert panel.outcome(db, s) is None and not panel_repo.reviews_by(db, ids["jonas"])


def test_item_analysis_and_pilots_are_for_editors(client: TestClient, other_client: TestClient, rt: Any) -> None:
    ids = _setup(client, rt)
    _sign_in(client, "jonas@example.org")
    assert client.get("/admin/item-analysis").status_code == 403
    _sign_in(other_client, "eve@example.org")
    listing = other_client.get("/admin/item-analysis")
    assert listing.status_code == 200 and ids["form"] in listing.text
    report = other_client.get(f"/admin/item-analysis/{ids['form']}")
    assert report.status_code == 200 and "scored attempts on this form: at least two are needed" in report.text
    pilots = other_client.get("/admin/pilots")
    assert pilots.status_code == 200 and "at least 100 needed" in pilots.text
    csv = other_client.get(f"/admin/item-analysis/{ids['form']}.csv")
    assert csv.status_code == 200 and csv.text.startswith("item,title")
