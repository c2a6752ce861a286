"""Benchmarks for certification exams, as ratios against baselines measured in the same run.

1. Form assembly in the pure core: the Foundation's three parallel forms (40 scored + 5 pilot items
   each, disjoint, difficulty-matched by swaps) from the shipped secure pool of 190 items, and the
   Integrator's two forms (60 + 6). Baseline: one pass over the pool computing each item's facility
   and sorting by it (the least any assembly must do).
2. One candidate's exam through the services on SQLite, one transaction per request as the web app
   runs it: start (eligibility, form choice, exposure counts), 45 answers each checked against the
   server's clock, submit (scoring and release). Baseline: the same number of transactions that each
   read the attempt's row and nothing else.

Run: `.venv/bin/python -m bench.bench_exams [--candidates 20] [--write]`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from assay.core.certification.forms import assemble_forms, facility
from assay.core.clock import SystemClock
from assay.db.migrate import upgrade
from assay.db.models import ExamAttempt, ExamFormRecord
from assay.db.session import build_engine, session_factory, unit_of_work
from assay.services import accounts, exams, standards
from assay.services import programmes as content
from assay.services.demo_certification import choice
from assay.services.runtime import build_runtime
from assay.settings import Settings
from bench.report import best_of, write_section


def assembly(repeats: int) -> list[tuple[str, float, float]]:
    items = list(content.secure_bank().items.values())
    baseline = best_of(repeats, lambda: sorted(items, key=lambda i: facility(i, {})))
    rows = []
    for pid in ("foundation", "certified-ai-integrator"):
        spec = content.programme(pid).exam
        assert spec is not None

        def run(spec=spec, pid=pid) -> None:  # type: ignore[no-untyped-def]
            assemble_forms(
                items,
                programme_id=pid,
                standard_version="1.1",
                blueprint=spec.blueprint,
                length=spec.items,
                forms=spec.forms,
                max_overlap=spec.max_overlap,
                pilot_per_form=spec.pilot_items,
                seed="bench",
            )

        rows.append((pid, best_of(repeats, run), baseline))
    return rows


def sittings(candidates: int) -> tuple[float, float, int]:
    """Seconds for `candidates` full exams through the services; seconds for the baseline; requests each."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = Settings(
            environment="development", data_dir=Path(tmp), database_url=url, secret_key="bench-secret-key"
        )
        rt = build_runtime(settings, clock=SystemClock())
        sessions = session_factory(build_engine(url))
        with unit_of_work(sessions) as db:
            standards.import_standard(db, rt)
            users = [
                accounts.sign_up(
                    db, rt, email=f"c{n}@bench.example", display_name=f"Candidate {n}", password="bench-passphrase-1"
                )
                for n in range(candidates)
            ]
            exams.assemble(db, rt, programme_id="foundation", seed="bench")
        requests = 0
        start = time.perf_counter()
        attempt_ids = []
        for user in users:
            with unit_of_work(sessions) as db:
                attempt = exams.start(
                    db,
                    rt,
                    user=db.merge(user),
                    programme_id="foundation",
                    identity_name=user.display_name,
                    honour_accepted=True,
                )
                attempt_id, form_id = attempt.id, attempt.form_id
            with unit_of_work(sessions) as db:
                order = json.loads(db.get_one(ExamFormRecord, form_id).order_refs)
            for ref in order:
                item = content.secure_item(ref)
                with unit_of_work(sessions) as db:
                    exams.answer(
                        db, rt, user_id=user.id, attempt_id=attempt_id, item_id=item.id, choice=choice(item, True)
                    )
            with unit_of_work(sessions) as db:
                exams.submit(db, rt, user_id=user.id, attempt_id=attempt_id)
            attempt_ids.append(attempt_id)
            requests = len(order) + 2
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        for attempt_id in attempt_ids:
            for _ in range(requests):
                with unit_of_work(sessions) as db:
                    db.scalars(select(ExamAttempt).where(ExamAttempt.id == attempt_id)).one()
        baseline = time.perf_counter() - start
        return elapsed, baseline, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="write the figures into docs/PERFORMANCE.md")
    args = parser.parse_args()
    lines = ["| measured | time | baseline | ratio |", "| --- | --- | --- | --- |"]
    for pid, t, base in assembly(args.repeats):
        lines.append(
            f"| assemble {pid} forms | {t * 1000:.1f} ms | {base * 1000:.3f} ms (facility sort of the pool) | {t / base:.0f}× |"
        )
    elapsed, baseline, requests = sittings(args.candidates)
    per = elapsed / args.candidates
    lines.append(
        f"| one Foundation exam through the services ({requests} transactions: start, 45 answers, submit) | "
        f"{per * 1000:.0f} ms | {baseline / args.candidates * 1000:.0f} ms ({requests} transactions reading the attempt) | {elapsed / baseline:.1f}× |"
    )
    table = "\n".join(lines)
    print(table)
    if args.write:
        note = (
            f"\n\nSQLite, {args.candidates} candidates one after another, each request its own transaction. "
            "Assembly is a one-off per programme and pool change; the per-answer cost is what candidates feel."
        )
        write_section(
            "bench_exams", "Certification exams: form assembly and a sitting", table + note, script="bench_exams.py"
        )


if __name__ == "__main__":
    main()
