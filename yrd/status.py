"""The run's status: every check against the synthetic truth, every model that could not be
estimated and every claim that could not be tested, for the first screen of the report.

A run that "succeeds" technically can still have failed where it matters: linking below its
accepted precision, a gravity model that did not converge, a claim with no data. These are
collected here into one table (:func:`status_table`, ``results/<run>/status.csv``) with the
columns :data:`COLUMNS`:

``area``        linking, relocations, registration, gravity, estimation or claims;
``check``       what was checked (e.g. ``linking precision``, ``model pooled``, ``C4``);
``status``      ``passed`` or ``failed`` (checks, models), ``tested`` or ``not tested`` (claims, models skipped);
``detail``      the numbers and the reason, in words.

:func:`render_rst` writes the failed and untested rows as reStructuredText for the report's
opening page (:func:`render_intro`), after the claims summary of :func:`render_claims_rst` (each
claim's verdict, the data it rests on and a one-line reason).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS = ["area", "check", "status", "detail"]
STATUSES = ("passed", "failed", "tested", "not tested")
#: Line of workflow/report/workflow.rst replaced by the status section.
MARKER = "{# RUN_STATUS #}"
#: Line of workflow/report/workflow.rst replaced by the claims summary (:func:`render_claims_rst`).
CLAIMS_MARKER = "{# CLAIMS_SUMMARY #}"


def _row(area: str, check: str, status: str, detail: str) -> dict[str, str]:
    if status not in STATUSES:
        raise ValueError(f"status {status!r} not in {STATUSES}")
    return {"area": area, "check": check, "status": status, "detail": detail}


def _threshold_row(area: str, check: str, value: Any, minimum: float, key: str) -> dict[str, str]:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _row(area, check, "failed", f"not computed (accepted: at least {minimum} by validation.{key})")
    ok = float(value) >= minimum
    return _row(
        area,
        check,
        "passed" if ok else "failed",
        f"{float(value):.4f} {'>=' if ok else '<'} {minimum} (validation.{key})",
    )


def linking_checks(linking: Mapping[str, Any], thresholds: Mapping[str, float], level: str) -> list[dict[str, str]]:
    """Precision and recall of firm links and of relocations at ``level`` against the truth
    (``results/<run>/validation/linking.json``) compared with ``validation.*`` thresholds."""
    links = linking.get("linking", {})
    rows = [
        _threshold_row(
            "linking", "linking precision", links.get("precision"), thresholds["linking_precision"], "linking_precision"
        ),
        _threshold_row(
            "linking", "linking recall", links.get("recall"), thresholds["linking_recall"], "linking_recall"
        ),
    ]
    moves = linking.get("relocations", {}).get(level, {})
    rows += [
        _threshold_row(
            "relocations",
            f"relocation precision ({level})",
            moves.get("precision"),
            thresholds["relocation_precision"],
            "relocation_precision",
        ),
        _threshold_row(
            "relocations",
            f"relocation recall ({level})",
            moves.get("recall"),
            thresholds["relocation_recall"],
            "relocation_recall",
        ),
    ]
    return rows


def gravity_checks(validation: Mapping[str, Any]) -> list[dict[str, str]]:
    """The pooled gravity model's recovery of the true coefficients
    (``results/<run>/validation/gravity.json``)."""
    params = validation.get("parameters") or {}
    parts = []
    for name, p in sorted(params.items()):
        est, true, se = p.get("estimate"), p.get("true"), p.get("std_error")
        if est is None or true is None:
            parts.append(f"{name}: not estimated")
            continue
        parts.append(
            f"{name} {float(est):.3f} (SE {float(se):.3f}) vs true {float(true):.3f}"
            if se is not None and math.isfinite(float(se))
            else f"{name} {est} vs true {true}"
        )
    reason = validation.get("reason")
    detail = "; ".join(parts) + (f"; {reason}" if reason else "")
    status = "passed" if validation.get("accepted") else "failed"
    return [_row("gravity", "gravity coefficients recover the truth", status, detail or "no estimates")]


def registration_checks(
    addresses: Mapping[str, Any] | None, links: Mapping[str, Any] | None, thresholds: Mapping[str, float]
) -> list[dict[str, str]]:
    """Registration records against the truth: the precision of the address parser
    (``validation/registration_addresses.json``) and of the record -> ASIF firm links, with their
    recall (``validation/registration_links.json``), against ``validation.registration_*``."""
    rows = []
    if addresses is not None:
        a = addresses.get("overall", {})
        rows.append(
            _threshold_row(
                "registration",
                "address -> county precision",
                a.get("precision"),
                thresholds["registration_address_precision"],
                "registration_address_precision",
            )
        )
    if links is not None:
        o = links.get("overall", {})
        for what in ("precision", "recall"):
            key = f"registration_link_{what}"
            rows.append(
                _threshold_row("registration", f"record -> firm link {what}", o.get(what), thresholds[key], key)
            )
    return rows


def source_gravity_checks(validation: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each flow source's pooled gravity against its truth (``validation/gravity_sources.json``):
    one :func:`gravity_checks` row per source; its detail adds the same model's estimates on the
    source's true events (:func:`yrd.flows.sources.truth_event_comparison`), which tell the
    world's draw from the pipeline's error."""
    rows = []
    for source, v in (validation.get("sources") or {}).items():
        row = gravity_checks(v)[0]
        truth = [
            f"{name} {t['estimate']:.3f} ({t['truth_events_z']:+.1f} SE from the truth)"
            for name, t in sorted((v.get("truth_events") or {}).items())
            if t.get("estimate") is not None and t.get("truth_events_z") is not None
        ]
        detail = row["detail"] + ("; the same model on the true events: " + ", ".join(truth) if truth else "")
        rows.append({**row, "check": f"{row['check']} ({source})", "detail": detail})
    return rows


def estimation_checks(gravity: pd.DataFrame) -> list[dict[str, str]]:
    """One row per gravity model (``results/<run>/flows/gravity.csv``): failed when it did not
    converge, not tested when it was skipped (too few moves), passed otherwise."""
    rows = []
    for model, g in gravity.groupby("model", sort=False):
        first = g.iloc[0]
        note = "" if pd.isna(first.get("note")) else str(first.get("note"))
        converged = str(first.get("converged")).lower() in ("true", "1")
        if converged:
            rows.append(
                _row(
                    "estimation",
                    f"PPML model {model}",
                    "passed",
                    f"{int(first['n_moves'])} moves" + (f"; {note}" if note else ""),
                )
            )
        elif note.startswith("skipped"):
            rows.append(_row("estimation", f"PPML model {model}", "not tested", note))
        else:
            rows.append(_row("estimation", f"PPML model {model}", "failed", note or "did not converge"))
    return rows


def claim_checks(claims: pd.DataFrame) -> list[dict[str, str]]:
    """Claims that could not be tested (verdict ``no data`` or ``off``) with their reason; the
    others are listed as passed (tested, whatever the verdict)."""
    rows = []
    for r in claims.itertuples(index=False):
        if r.verdict in ("no data", "off"):
            reason = "; ".join(str(x) for x in (r.value, r.notes) if isinstance(x, str) and x)
            rows.append(_row("claims", r.claim, "not tested", f"{r.verdict}: {reason}" if reason else r.verdict))
        else:
            rows.append(_row("claims", r.claim, "tested", f"verdict: {r.verdict}"))
    return rows


def status_table(
    claims: pd.DataFrame,
    gravity: pd.DataFrame | None,
    linking: Mapping[str, Any] | None = None,
    gravity_validation: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, float] | None = None,
    level: str = "prefecture",
    registration: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> pd.DataFrame:
    """All checks of a run (module docstring); ``linking`` and ``gravity_validation`` only for
    synthetic runs (None otherwise), with ``thresholds`` the ``validation`` config block;
    ``registration``: the registration scores of a synthetic run with records (``addresses``,
    ``links``, ``source_gravity``: the JSON of validation/registration_addresses.json,
    registration_links.json, gravity_sources.json; missing or None when not computed)."""
    rows = []
    if linking is not None:
        if thresholds is None:
            raise ValueError("thresholds are needed to judge the linking checks")
        rows += linking_checks(linking, thresholds, level)
    if gravity_validation is not None:
        rows += gravity_checks(gravity_validation)
    reg = registration or {}
    if reg.get("addresses") is not None or reg.get("links") is not None:
        if thresholds is None:
            raise ValueError("thresholds are needed to judge the registration checks")
        rows += registration_checks(reg.get("addresses"), reg.get("links"), thresholds)
    if reg.get("source_gravity") is not None:
        rows += source_gravity_checks(reg["source_gravity"])
    if gravity is not None:  # None: no survey flows (a records-only run)
        rows += estimation_checks(gravity)
    rows += claim_checks(claims)
    return pd.DataFrame(rows, columns=COLUMNS)


#: Claims tested on the firm data (the synthetic world or the user's ASIF files); in a
#: records-only run (``run.asif`` false) C2 and C3 use the registration records and the others
#: have no data. C4 and C6 use real public data in every run (``data_sources.csv``).
FIRM_CLAIMS = ("C1", "C2", "C3", "C5", "C7")
RECORDS_CLAIMS = ("C2", "C3")
REAL_BASIS = {
    "C4": "real public: road travel times (Ma and Tang 2024), DOSE",
    "C6": "real public: World Bank, Gapminder, DOSE",
}
#: Notes that give context rather than the reason of the verdict (then the value is used).
_CONTEXT_NOTES = ("By source", "Other bases", "Not tested", "verdict from")


def claim_basis(claim: str, synthetic: bool, asif: bool = True) -> str:
    """The data a claim's verdict rests on, in a few words: the firm data (``SYNTHETIC`` when
    ``run.synthetic``, else the user's), the registration records for C2/C3 in a records-only
    run (``run.asif`` false), or the real public tables of C4 and C6 (see yrd.data_sources)."""
    if claim in REAL_BASIS:
        return REAL_BASIS[claim]
    who = "SYNTHETIC" if synthetic else "the user's"
    if claim in FIRM_CLAIMS:
        if asif:
            return f"{who} firm data (ASIF)" if not synthetic else "SYNTHETIC firm data"
        if claim in RECORDS_CLAIMS:
            return f"{who} registration records"
        return "no survey data (records-only run)"
    return "see data_sources.csv"


def _first_clause(text: str) -> str:
    """``text`` up to its first ``;`` outside brackets (the claims' values nest ``;`` in them)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0:
            return text[:i]
    return text


def claim_reason(value: str, notes: str, width: int = 110) -> str:
    """A one-line reason for a claim's verdict: the first clause of ``notes`` when it states the
    reason, else (notes empty or context such as the verdicts by source) the first clause of
    ``value``; cut to ``width`` characters with an ellipsis. The full numbers are in
    claims.html."""
    notes = str(notes or "").strip()
    text = notes if notes and not notes.startswith(_CONTEXT_NOTES) else str(value or "").strip()
    first = " ".join(_first_clause(text).split())
    return first if len(first) <= width else first[: width - 1].rstrip() + "\u2026"


_LIST_START = re.compile(r"^(\(?[A-Za-z0-9#]{1,3}[.)]|[-+*])\s")


def _rst_cell(text: str) -> str:
    """Text safe in a list-table cell and in the Jinja template of the report."""
    text = " ".join(str(text).split()).replace("{", "(").replace("}", ")")
    for ch in ("\\", "*", "`", "|", "_"):
        text = text.replace(ch, "\\" + ch)
    if _LIST_START.match(text):  # "(a) ...", "1. ...", "- ..." would start a list
        text = "\\" + text
    return text or "-"


def render_claims_rst(claims: pd.DataFrame, synthetic: bool, asif: bool = True) -> str:
    """reStructuredText of the claims summary for the report's first screen: one row per claim
    (claims.csv) with its verdict, the data it rests on (:func:`claim_basis`) and a one-line
    reason (:func:`claim_reason`), as a docutils ``list-table`` with class ``claims-summary``."""
    lines = [
        "Verdicts on the paper's claims",
        "------------------------------",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :class: claims-summary",
        "   :widths: 5 15 22 58",
        "",
        "   * - Claim",
        "     - Verdict",
        "     - Data",
        "     - Reason (numbers, tests and evidence: claims.html)",
    ]
    for r in claims.itertuples(index=False):
        lines += [
            f"   * - {_rst_cell(r.claim)}",
            f"     - **{_rst_cell(r.verdict)}**",
            f"     - {_rst_cell(claim_basis(r.claim, synthetic, asif))}",
            f"     - {_rst_cell(claim_reason(getattr(r, 'value', ''), getattr(r, 'notes', '')))}",
        ]
    return "\n".join(lines) + "\n"


def render_rst(table: pd.DataFrame) -> str:
    """reStructuredText of the failed checks and the claims not tested (or a line saying that
    every check passed), for the report's opening page."""
    failed = table[table["status"] == "failed"]
    untested = table[(table["status"] == "not tested")]
    lines = ["Checks of this run", "------------------", ""]
    if failed.empty:
        n = int(table["status"].isin(["passed", "tested"]).sum())
        lines.append(f"**No check failed** ({n} passed; the full list is in status.csv).")
    else:
        lines.append(f"**{len(failed)} check(s) FAILED** - read the results below with this in mind:")
        lines.append("")
        lines += [f"- **{r.area} / {r.check}**: {r.detail}" for r in failed.itertuples()]
    lines.append("")
    if not untested.empty:
        lines.append("**Not tested** (claims and models):")
        lines.append("")
        lines += [f"- **{r.check}**: {r.detail}" for r in untested.itertuples()]
        lines.append("")
    return "\n".join(line.replace("{", "(").replace("}", ")") for line in lines) + "\n"


def render_intro(template: str, status_rst: str, claims_rst: str | None = None) -> str:
    """The report's opening text: ``template`` (workflow/report/workflow.rst, still a Jinja
    template rendered by Snakemake) with the line :data:`MARKER` replaced by ``status_rst`` and,
    when given, the line :data:`CLAIMS_MARKER` by ``claims_rst`` (:func:`render_claims_rst`)."""
    if MARKER not in template:
        raise ValueError(f"the report template has no line {MARKER!r} to put the run status at")
    out = template.replace(MARKER, status_rst.rstrip("\n"), 1)
    if claims_rst is not None:
        if CLAIMS_MARKER not in out:
            raise ValueError(f"the report template has no line {CLAIMS_MARKER!r} to put the claims summary at")
        out = out.replace(CLAIMS_MARKER, claims_rst.rstrip("\n"), 1)
    return out


def run_summary(results: str | Path) -> str:
    """What ``make run`` prints at its end: where the study's report is and one line per claim
    (claim, verdict, :func:`claim_reason`) from ``<results>/claims.csv``, with the count of failed
    checks from ``<results>/status.csv`` (each part only where its file exists)."""
    out = Path(results)
    report = out / "report.html"
    lines = [f"Report of this study: {report}" + ("" if report.exists() else " (not built yet: make report)")]
    claims_csv = out / "claims.csv"
    if claims_csv.exists():
        claims = pd.read_csv(claims_csv, dtype=str, keep_default_na=False)
        lines.append(f"Verdicts on the paper's claims ({claims_csv}; details in {out / 'claims.html'}):")
        width = max((len(v) for v in claims["verdict"]), default=0)
        for r in claims.itertuples(index=False):
            reason = claim_reason(getattr(r, "value", ""), getattr(r, "notes", ""), width=90)
            lines.append(f"  {r.claim}  {r.verdict:<{width}}  {reason}")
    status_csv = out / "status.csv"
    if status_csv.exists():
        table = pd.read_csv(status_csv, dtype=str, keep_default_na=False)
        failed = table[table["status"] == "failed"]
        lines.append(
            f"Checks of the run: {len(failed)} failed of {len(table)} ({status_csv})"
            + "".join(f"\n  FAILED {r.area} / {r.check}" for r in failed.itertuples())
        )
    return "\n".join(lines)


def _main(argv: Sequence[str] | None = None) -> int:
    """``python -m yrd.status summary RESULTS_DIR``: print :func:`run_summary` (the end of
    ``make run`` and ``make report``)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m yrd.status")
    ap.add_argument("command", choices=["summary"])
    ap.add_argument("results", help="the study's output folder, results/<run.name>")
    args = ap.parse_args(argv)
    print(run_summary(args.results))
    return 0


__all__ = [
    "CLAIMS_MARKER",
    "COLUMNS",
    "MARKER",
    "STATUSES",
    "claim_basis",
    "claim_checks",
    "claim_reason",
    "estimation_checks",
    "gravity_checks",
    "linking_checks",
    "registration_checks",
    "render_claims_rst",
    "render_intro",
    "render_rst",
    "run_summary",
    "source_gravity_checks",
    "status_table",
]


if __name__ == "__main__":
    raise SystemExit(_main())
