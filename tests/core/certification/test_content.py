"""The shipped certification content: the secure pool, the programmes, the task briefs and the
interview guide, valid and consistent with each other and with the standard."""

from __future__ import annotations

from collections import Counter

import pytest

from assay.content import INTERVIEWS_DIR, PRACTICE_ITEMS_DIR, PROGRAMMES_FILE, SECURE_ITEMS_DIR, TASKS_DIR
from assay.core.certification.forms import assemble_forms, overlap
from assay.core.certification.tasks import load_interview_guide, load_tasks
from assay.core.credentials.programmes import load_programmes
from assay.core.items.bank import ItemBank, coverage, load_bank
from assay.core.items.model import ItemStatus, Pool
from assay.core.standard.model import Standard


def _load(folder, standard: Standard) -> ItemBank:  # type: ignore[no-untyped-def]
    latest = standard.versions[-1]
    result = load_bank(
        folder,
        controls={c.id: d.id for d in latest.domains for c in d.controls},
        standard="assay-pae",
        standard_version=latest.version,
    )
    assert result.problems == [], "\n".join(map(str, result.problems[:20]))
    assert result.bank is not None
    return result.bank


@pytest.fixture(scope="module")
def secure(default_standard: Standard) -> ItemBank:
    return _load(SECURE_ITEMS_DIR, default_standard)


def test_the_secure_pool_is_large_enough_and_covers_every_control(secure: ItemBank, default_standard: Standard) -> None:
    operational = secure.operational(Pool.SECURE)
    assert len(operational) >= 150
    assert all(i.pool is Pool.SECURE for i in secure.items.values())
    counts = coverage(secure, [c.id for c in default_standard.versions[-1].controls()], Pool.SECURE)
    assert [c for c, n in counts.items() if n < 2] == []
    assert sum(1 for i in secure.items.values() if i.status is ItemStatus.PILOT) >= 20


def test_secure_items_are_not_practice_items(secure: ItemBank, default_standard: Standard) -> None:
    practice = _load(PRACTICE_ITEMS_DIR, default_standard)
    assert not set(secure.items) & set(practice.items)
    norm = lambda s: " ".join(s.lower().split())  # noqa: E731
    assert not {norm(i.title) for i in secure.items.values()} & {norm(i.title) for i in practice.items.values()}
    assert not {norm(i.stem) for i in secure.items.values()} & {norm(i.stem) for i in practice.items.values()}


def test_keys_are_not_cued_by_length(secure: ItemBank) -> None:
    """The keyed option of a single-best-answer item is the longest in at most 40% of items."""
    singles = [i for i in secure.items.values() if i.kind.value == "single"]
    longest = sum(1 for i in singles if max(i.options, key=lambda o: len(o.text)).correct)
    assert longest / len(singles) <= 0.4, f"{longest} of {len(singles)}"
    letters = Counter(next(o.id for o in i.options if o.correct) for i in singles)
    assert max(letters.values()) / len(singles) <= 0.4, letters


def test_programmes_tasks_and_guides_agree(default_standard: Standard) -> None:
    catalogue = load_programmes(PROGRAMMES_FILE)
    tasks = load_tasks(TASKS_DIR)
    domains = {d.id for d in default_standard.versions[-1].domains}
    controls = {c.id for c in default_standard.versions[-1].controls()}
    ids = {p.id for p in catalogue.programmes}
    assert {"foundation", "certified-ai-integrator", "practitioner", "advanced", "practice"} <= ids
    assert sum(1 for p in catalogue.programmes if p.id.startswith("specialist-")) >= 3
    assert len(tasks) >= 8
    for p in catalogue.programmes:
        assert p.passing_rule and p.renewal is not None and p.standard_versions, p.id
        assert all(t in tasks for t in p.tasks), p.id
        if p.exam:
            assert set(p.exam.blueprint) <= domains, p.id
        if p.interview:
            guide = load_interview_guide(INTERVIEWS_DIR / f"{p.interview.guide}.yaml")
            assert {d.domain for d in guide.domains} == domains
            assert guide.panel_size == p.interview.panel_size
    for t in tasks.values():
        assert set(t.controls) <= controls, t.id
        for programme in t.programmes:
            assert t.id in catalogue.get(programme).tasks, f"{t.id} names {programme}, which does not use it"


def test_every_exam_programme_assembles_its_forms(secure: ItemBank) -> None:
    for p in load_programmes(PROGRAMMES_FILE).programmes:
        if p.exam is None:
            continue
        forms = assemble_forms(
            list(secure.items.values()),
            programme_id=p.id,
            standard_version="1.1",
            blueprint=p.exam.blueprint,
            length=p.exam.items,
            forms=p.exam.forms,
            max_overlap=p.exam.max_overlap,
            pilot_per_form=p.exam.pilot_items,
            seed="content-test",
        )
        assert len(forms) == p.exam.forms
        assert all(a is b or overlap(a, b) <= p.exam.max_overlap for a in forms for b in forms)
        assert all(f.minutes_needed <= p.exam.minutes for f in forms), [f.minutes_needed for f in forms]
        means = [f.mean_facility for f in forms]
        assert max(means) - min(means) <= 0.02, means


def test_calibration_anchors_fit_their_tasks() -> None:
    from assay.content import ANCHORS_DIR
    from assay.core.certification.rules import task_outcome
    from assay.core.certification.tasks import load_anchors

    tasks = load_tasks(TASKS_DIR)
    anchors = load_anchors(ANCHORS_DIR)
    assert anchors, "calibration needs anchors"
    for task_id, rows in anchors.items():
        assert task_id in tasks and len(rows) >= 3
        outcomes = []
        for a in rows:
            known = {d: s.score for d, s in a.scores.items()}
            outcomes.append(task_outcome(known, known))
        # Anchors span the scale: at least one passes and one fails under the published rule.
        assert any(o and o.passed for o in outcomes) and any(o and not o.passed for o in outcomes), task_id
