"""The readiness profile as documents: a PDF to keep or hand over, and the action plan as a workbook.

Both read the stored report (the shape of assessments.report / profile_to_dict); neither re-scores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assay.core.scoring.profile import Level
from assay.infra.pdf import PdfDocument
from assay.infra.spreadsheets import Value, xlsx_bytes

DOMAIN_COLUMNS = [
    "domain",
    "title",
    "level",
    "percent",
    "interval low",
    "interval high",
    "items",
    "indicative",
    "self rating",
]


def profile_pdf(
    report: dict[str, Any], *, generated_at: datetime, role_label: str, subject: str | None = None
) -> bytes:
    """The profile for the person it describes: what was assessed, the result per domain with its interval,
    how well their confidence matched their answers, and what to close first to reach the role's target."""
    domains = report["domains"]
    credible = _credible_percent(domains)
    doc = PdfDocument("Readiness profile", generated_at=generated_at)
    doc.heading("Readiness profile" + (f": {subject}" if subject else ""))
    to_target = report.get("percent_to_target")
    doc.key_value_table(
        [
            ("Standard", f"{report['standard']} version {report['standard_version']}"),
            ("Target role", role_label or report.get("target_role") or "-"),
            ("Domains at the target", "-" if to_target is None else f"{to_target}%"),
            ("Form", str(report.get("form") or "-")),
            ("Scoring model", str(report.get("scoring_model") or "-")),
        ]
    )
    doc.paragraph(
        "A practice assessment: a self-check against the standard from scenario questions, not a "
        "certification. For each domain it estimates your chance of getting a medium-difficulty scenario "
        f"right, with a {credible}% interval, gives the readiness level that chance falls in, and compares "
        "it with the level the target role needs."
    )

    doc.heading("By domain", 2)
    doc.table(
        ["Domain", "Level", f"Chance ({credible}% interval)", "Questions", "Self-rating vs assessed"],
        [
            [
                f"{d['title']} ({d['domain']})",
                d["level"] + (" (indicative)" if d["indicative"] else ""),
                f"{d['percent']}% ({d['percent_interval'][0]}–{d['percent_interval'][1]}%)",
                str(d["items"]),
                _self_rating(d),
            ]
            for d in domains
        ],
    )
    if any(d["indicative"] for d in domains):
        doc.paragraph(
            "(indicative) marks a domain where too few questions touched it, or its interval is too wide, "
            "for the level to count as a finding: take it as a first sign, not a result."
        )
    doc.bar_chart(
        [d["title"] for d in domains],
        [float(d["percent"]) for d in domains],
        100,
        title="Chance on a medium scenario, per domain (%)",
    )

    doc.heading("Calibration", 2)
    _calibration(doc, report.get("calibration") or {})

    doc.heading("What to close first", 2)
    gaps = report.get("gaps") or []
    if gaps:
        doc.paragraph(
            "The domains below the target, largest shortfall first (among equals, firm findings before "
            "indicative ones). Under each, the controls of the standard to work on and the criteria that "
            "show the target level is met."
        )
    else:
        doc.paragraph("Every domain meets the target: there is nothing to close for this role.")
    for priority, gap in enumerate(gaps, start=1):
        indicative = " (indicative)" if gap["indicative"] else ""
        doc.heading(f"{priority}. {gap['title']}: {gap['assessed']} → {gap['target']}{indicative}", 3)
        doc.table(
            ["Control", "Criteria to meet"],
            [
                [f"{c['control']}: {c['title']}", "\n".join(f"• {criterion}" for criterion in c["criteria"])]
                for c in gap["controls"]
            ],
        )

    doc.heading("Reading the intervals", 2)
    doc.paragraph(
        f"Each chance comes with a {credible}% interval: the range the true figure lies in with "
        f"{credible}% probability, given your answers. With two or three questions a domain the interval "
        "is wide; a domain whose interval reaches into the next level may well be at that level. Two "
        "domains whose intervals overlap are not shown to differ, so compare levels and intervals, not "
        "single percentages. Answering more questions in a domain narrows its interval."
    )
    return doc.to_bytes()


def action_plan_xlsx(rows: list[list[str]], report: dict[str, Any]) -> bytes:
    """Two sheets: "Action plan" (`rows`, header first: assessments.action_plan_rows, the CSV's rows) and
    "Domains" (the per-domain results)."""
    domains: list[list[Value]] = [list(DOMAIN_COLUMNS)]
    for d in report["domains"]:
        rating = d.get("self_rating")
        domains.append(
            [
                d["domain"],
                d["title"],
                d["level"],
                d["percent"],
                d["percent_interval"][0],
                d["percent_interval"][1],
                d["items"],
                "yes" if d["indicative"] else "no",
                None if rating is None else Level(rating).label,
            ]
        )
    return xlsx_bytes([("Action plan", rows), ("Domains", domains)])


def _credible_percent(domains: list[dict[str, Any]]) -> int:
    levels = {d.get("credible_level", 0.9) for d in domains}
    return round(100 * (levels.pop() if len(levels) == 1 else 0.9))


def _self_rating(d: dict[str, Any]) -> str:
    rating, gap = d.get("self_rating"), d.get("self_gap")
    if rating is None:
        return "not given"
    if not gap:
        return f"{Level(rating).label} (matches)"
    levels = "level" if abs(gap) == 1 else "levels"
    return f"{Level(rating).label} ({abs(gap)} {levels} {'above' if gap > 0 else 'below'})"


def _calibration(doc: PdfDocument, calibration: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = []
    answered = calibration.get("answered_with_confidence") or 0
    brier, over, gap = calibration.get("brier"), calibration.get("overconfidence"), calibration.get("self_gap_mean")
    if brier is not None:
        rows.append(("Brier score", f"{brier:.3f} over {answered} questions answered with a confidence"))
    if over is not None:
        rows.append(("Overconfidence", f"{100 * over:+.0f} percentage points"))
    if gap is not None:
        rows.append(("Self-rating gap", f"{gap:+.2f} levels on average"))
    if not rows:
        doc.paragraph("No confidence or self-ratings were given, so there is nothing to compare them with.")
        return
    doc.key_value_table(rows)
    doc.paragraph(
        "The Brier score measures how well the confidence you stated matched whether you were right: it "
        "is the average of (confidence − result) squared. 0 is perfect; always answering “50% sure” scores "
        "0.25, so a score above 0.25 means your confidence was a worse guide than a coin toss. "
        "Overconfidence is your average stated confidence minus your average score: positive means you "
        "were surer than you were right, negative that you doubted answers that were right. The self-rating "
        "gap is the level you gave yourself minus the level assessed, averaged over the domains: positive "
        "means rating yourself above what the scenarios showed. All three are worth knowing before a review "
        "or an exam."
    )
