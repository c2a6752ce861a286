"""Benchmark: the team roll-up of a campaign with 10,000 submitted members.

Three figures, each with a baseline measured in the same run:
- parsing the 10,000 stored profiles and the pure roll-up (core/scoring/team.py), against merely
  parsing them (the least any roll-up must do);
- the whole service path (`campaigns.team_profile`: read the attempts and users from SQLite, parse,
  roll up, shape the answer) against the same SQL read alone.
Profiles are synthetic but have the real shape: ten domains with levels, percents, intervals and
control evidence, drawn from a seeded generator.
Run: `.venv/bin/python -m bench.bench_campaigns [--members 10000] [--write]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from assay.core.ids import new_id, new_token, token_digest
from assay.core.scoring.team import MemberResult, roll_up
from assay.db.migrate import upgrade
from assay.db.models import Attempt, Campaign, Organisation, User
from assay.db.session import build_engine, session_factory
from assay.infra.email import MemoryMailer
from assay.infra.storage import MemoryFileStore
from assay.services import assessments, campaigns, standards
from assay.services.runtime import build_runtime
from assay.settings import Settings
from bench.report import best_of, write_section

NOW = datetime(2026, 11, 1, tzinfo=UTC)
LEVEL_NAMES = ("Not yet", "Developing", "Ready", "Advanced")


def synthetic_profile(rng: random.Random, domains: list[tuple[str, list[str]]]) -> dict[str, object]:
    rows = []
    for domain, controls in domains:
        percent = rng.randint(5, 97)
        level = 0 if percent < 35 else 1 if percent < 65 else 2 if percent < 86 else 3
        touched = rng.sample(controls, k=min(len(controls), rng.randint(2, 3)))
        rows.append(
            {
                "domain": domain,
                "title": domain,
                "level": LEVEL_NAMES[level],
                "level_index": level,
                "indicative": rng.random() < 0.2,
                "percent": percent,
                "percent_interval": [max(0, percent - 30), min(100, percent + 15)],
                "items": len(touched),
                "controls": [{"control": c, "items": [f"{c}-P"], "missed": round(rng.random(), 2)} for c in touched],
            }
        )
    return {"domains": rows, "percent_to_target": rng.choice([0, 20, 50, 80, 100]), "target_role": "integrator"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20261124)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = Settings(environment="test", data_dir=Path(tmp), database_url=url, secret_key="bench")
        rt = build_runtime(settings, mailer=MemoryMailer(), files=MemoryFileStore(), passwords=PasswordHasher())
        sessions = session_factory(build_engine(url))
        with sessions() as db:
            standards.import_standard(db, rt)
            version = standards.latest(db, "assay-pae").version
            domains = [(d.id, [c.id for c in d.controls]) for d in version.domains]
            org = Organisation(id=new_id(NOW), slug="bench", name="Bench", created_at=NOW)
            campaign = Campaign(
                id=new_id(NOW),
                organisation_id=org.id,
                name="Bench",
                target_role="integrator",
                min_group_size=5,
                join_token=new_token(),
                created_at=NOW,
            )
            db.add(org)
            db.flush()  # no ORM relationships: flush parents before children, in foreign-key order
            db.add(campaign)
            db.flush()
            docs = []
            attempts = []
            for n in range(args.members):
                user = User(
                    id=new_id(NOW),
                    email=f"m{n}@bench.example",
                    display_name=f"Member {n:05d}",
                    password_hash="-",
                    created_at=NOW,
                    password_changed_at=NOW,
                )
                profile = json.dumps(synthetic_profile(rng, domains), sort_keys=True)
                docs.append(profile)
                db.add(user)
                attempts.append(
                    Attempt(
                        id=new_id(NOW),
                        token_digest=token_digest(new_token()),
                        user_id=user.id,
                        standard_id="assay-pae",
                        standard_version=version.version,
                        blueprint_id="bench",
                        form_id="bench",
                        item_refs="[]",
                        self_ratings="{}",
                        started_at=NOW,
                        expires_at=NOW + timedelta(days=7),
                        submitted_at=NOW + timedelta(seconds=n),
                        profile=profile,
                        campaign_id=campaign.id,
                    )
                )
            db.flush()
            db.add_all(attempts)
            db.commit()
            campaign_id = campaign.id

        targets = assessments.role_targets()["integrator"]["targets"]
        titles = [(d.id, d.title) for d in version.domains]
        # Set-up objects (the documents, the ORM rows) would otherwise be traversed by every full
        # garbage collection the timed code triggers, charging the set-up to whichever figure ran then.
        gc.collect()
        gc.freeze()

        def parse_only() -> None:
            for doc in docs:
                json.loads(doc)

        def parse_and_roll_up() -> None:
            members = (MemberResult.from_profile(f"m{i}", json.loads(doc)) for i, doc in enumerate(docs))
            roll_up(list(members), domains=titles, min_group=5, target=targets)

        t_parse = best_of(5, parse_only)
        t_roll = best_of(5, parse_and_roll_up)

        def sql_only() -> None:
            with sessions() as db:
                list(db.scalars(select(Attempt).where(Attempt.campaign_id == campaign_id)))

        def service() -> None:
            with sessions() as db:
                result = campaigns.team_profile(
                    db, principal=None, campaign=campaigns.by_id(db, campaign_id=campaign_id)
                )
                assert result["submitted"] == args.members

        t_sql = best_of(3, sql_only)
        t_service = best_of(3, service)

    rows = [
        (f"parse and roll up {args.members:,} stored profiles (vs parsing them only)", t_roll, t_parse),
        (
            f"team profile, whole service path on SQLite, {args.members:,} members (vs the SQL read alone)",
            t_service,
            t_sql,
        ),
    ]
    lines = [
        "| measure | time | baseline | ratio |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {what} | {t * 1000:.1f} ms | {b * 1000:.1f} ms | {t / b:.2f}× |" for what, t, b in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if args.write:
        note = (
            "\n\nThe roll-up itself is linear in members (one pass over each profile's domains and controls); "
            "on the service path the rest is loading the ORM rows, each carrying its profile JSON, and the "
            "members' names."
        )
        write_section("bench_campaigns", "Team campaigns: the roll-up", table + note, script="bench_campaigns.py")


if __name__ == "__main__":
    main()
