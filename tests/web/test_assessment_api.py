"""The readiness assessment through the JSON API: anonymous start, resume, answer, submit, report."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assay.services import assessments, standards


def test_take_the_assessment_through_the_api(client: TestClient, other_client: TestClient, rt: Any) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        db.commit()
    headers = {"X-CSRF-Token": client.get("/api/v1/csrf").json()["csrf_token"]}
    assert client.post("/api/v1/assessments").status_code == 403  # no CSRF token
    started = client.post("/api/v1/assessments", headers=headers).json()
    token, questions = started["token"], started["questions"]
    assert len(questions) == 25 and "rationale" not in str(questions)
    assert client.put(
        f"/api/v1/assessments/{token}/self-ratings", json={"ratings": {"IG": 2}}, headers=headers
    ).json() == {"saved": True}
    for q in questions:
        item = assessments.bank().items[q["id"]]
        choice = [o["id"] for o in q["options"]] if item.kind.value == "ordering" else [q["options"][0]["id"]]
        saved = client.put(
            f"/api/v1/assessments/{token}/answers/{q['id']}",
            json={"choice": choice, "confidence": 0.5},
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
    resumed = other_client.get(f"/api/v1/assessments/{token}").json()  # another browser with the link resumes it
    assert resumed["answered"] == 25
    bad = client.put(
        f"/api/v1/assessments/{token}/answers/{questions[0]['id']}", json={"choice": ["q"]}, headers=headers
    )
    assert bad.status_code == 400 and "does not fit" in bad.json()["error"]["message"]
    assert client.get(f"/api/v1/assessments/{token}/report").status_code == 409
    report = client.post(f"/api/v1/assessments/{token}/submit?role=reviewer", headers=headers).json()
    assert report["target_role"] == "reviewer" and len(report["domains"]) == 10
    assert client.post(f"/api/v1/assessments/{token}/submit", headers=headers).status_code == 409  # once only
    full = client.get(f"/api/v1/assessments/{token}/report").json()
    assert len(full["feedback"]) == 25
    assert client.get("/api/v1/assessments/not-a-token").status_code == 404


def test_action_plan_csv(client: TestClient, rt: Any) -> None:
    import csv
    import io

    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        attempt, token = assessments.start(db, rt)
        for ref in assessments.refs(attempt):
            item = assessments.bank().items[ref.partition("@")[0]]
            choice = (
                list(reversed(item.key))
                if item.kind.value == "ordering"
                else [next(o.id for o in item.options if not o.correct)]
            )  # type: ignore[arg-type]
            assessments.answer(db, rt, token=token, item_id=item.id, choice=choice)
        assessments.submit(db, rt, token=token)
        db.commit()
    response = client.get(f"/assessment/{token}/plan.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["priority", "domain"] and len(rows) > 1
    assert "action plan" in client.get(f"/assessment/{token}/report").text
