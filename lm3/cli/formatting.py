"""Plain-text formatters of the CLI: a result in, the lines a person reads out."""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

import lm3
from lm3 import BatchResult, IngestResult, LM3Result, LocateResult, Project, format_gbp
from lm3.cli.options import flag

_HOME = {
    "in the area": "living in the area",
    "outside the area": "living outside it",
    "unknown": "with home postcode unknown",
}


def format_ingest(result: IngestResult, top: int = 10) -> str:
    """The plain-text account of an ingest: columns chosen, rows, total, top suppliers, rejects, warnings."""
    if result.files:
        lines = [f"Read {result.file}", "", "Files:"]
        for part in result.files:
            lines.append(
                f"  {part.file}: {part.rows_accepted:,} payments, {format_gbp(part.total)}"
                + (f", {part.rows_rejected:,} rejected" if part.rows_rejected else "")
                + f" (supplier {part.columns['supplier']!r}, amount {part.columns['amount']!r})"
            )
        return "\n".join(lines + _ingest_rest(result, top).split("\n"))
    where = f" (sheets: {', '.join(result.sheets)})" if result.sheets else ""
    lines = [f"Read {result.file}{where}", "", "Columns:"]
    found = {k: v for k, v in result.columns.items() if v is not None}
    width = max(len(k) for k in found)
    for name, header in found.items():
        choice = result.choices.get(name)
        if choice is not None and name in result.chosen_by and result.chosen_by[name] == "set by you":
            how = "  (set by you)"
        elif choice is not None:
            how = f"  ({choice.confidence}: {', '.join(choice.reasons)})"
            if choice.runner_up is not None:
                how += f"; runner-up {choice.runner_up!r}"
        else:
            how = f"  ({result.chosen_by[name]})" if name in result.chosen_by else ""
        lines.append(f"  {name:<{width}}  {header}{how}")
    missing = [k for k in ("date",) if result.columns.get(k) is None]
    if missing:
        lines.append(f"  (no {', '.join(missing)} column)")
    return "\n".join(lines) + "\n" + _ingest_rest(result, top)


def _ingest_rest(result: IngestResult, top: int) -> str:
    """Rows, totals, top suppliers, rejected rows and warnings of an ingest (one file or several)."""
    lines = [
        "",
        f"Rows: {result.rows_accepted:,} accepted, {result.rows_rejected:,} rejected"
        + (f"; {result.blank_rows:,} blank rows skipped" if result.blank_rows else ""),
        f"Total: {format_gbp(result.total)}",
    ]
    if result.file_total is not None:
        same = "reconciles" if all(t.reconciles for t in result.totals) else "does NOT reconcile"
        lines.append(f"File's own total: {format_gbp(result.file_total)} ({same})")
    if result.rows_accepted:
        lines += ["", f"Top {min(top, result.data['key'].nunique())} suppliers:"]
        tops = result.top_suppliers(top)
        amount_width = max(len(format_gbp(int(a))) for a in tops["amount"])
        for r in lm3.frontend.row_tuples(tops):
            lines.append(
                f"  {format_gbp(int(r.amount)):>{amount_width}}  {r.supplier} ({r.payments:,} payment{'' if r.payments == 1 else 's'})"
            )
    if result.rows_rejected:
        lines += ["", "Rejected rows:"]
        for r in lm3.frontend.row_tuples(result.rejected.head(20)):
            sheet = f"sheet {r.sheet!r}, " if isinstance(r.sheet, str) else ""
            sheet = f"{r.file}, {sheet}" if isinstance(getattr(r, "file", None), str) else sheet
            value = f" {r.value!r}" if isinstance(r.value, str) else ""
            lines.append(f"  {sheet}row {int(r.row)}:{value} {r.reason}")
        if result.rows_rejected > 20:
            lines.append(f"  ... and {result.rows_rejected - 20:,} more (see --json)")
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def format_locate(result: LocateResult, top: int = 10) -> str:
    """The plain-text report of ``lm3 locate``."""

    def pct(x: float | None) -> str:
        return "n/a" if x is None or x != x else f"{x:.1%}"

    cov = result.coverage_table()
    placed = cov.iloc[0]
    lines = [
        f"Where the money goes: {result.file}, area {result.area.name}",
        *([f"Rule: {result.rule.text}"] if result.rule is not None else []),
        "",
        f"  Spend              {format_gbp(result.total):>16}  ({len(result.suppliers)} suppliers)",
        f"  Placed             {format_gbp(result.placed):>16}  {pct(result.coverage)} of spend, "
        f"{int(placed['suppliers'])} suppliers ({pct(float(placed['supplier_share']))})",
        f"  In the area        {format_gbp(result.local):>16}  {pct(result.local_share)} {result.share_kind}",
        "",
        *_sources(result.by_source(), result.not_placed_by_reason()),
        "",
        f"Tiers (each includes the ones before it; share {result.share_kind}):",
    ]
    for t in lm3.frontend.row_tuples(result.tiers):
        lines.append(f"  {t.name:<28} {format_gbp(t.amount):>16}  {pct(t.share)}")
    leak = result.head_office_leakage()
    lines += ["", f"Local branches with a head office elsewhere: {len(leak)}"]
    for r in lm3.frontend.row_tuples(leak.head(top)):
        where = (
            f"{r.head_office_lad_name}, {r.head_office_region}"
            if isinstance(r.head_office_lad_name, str)
            else "not placed"
        )
        office = (
            f"head office {r.head_office} ({where})"
            if isinstance(r.head_office, str) and r.head_office
            else "no head office given: other sites lie outside the area"
        )
        lines.append(f"  {r.supplier:<40} {format_gbp(r.amount):>14}  {office}")
    if len(leak):
        by_region = result.leakage_by_place("region")
        lines.append(
            "  By head-office region: "
            + "; ".join(f"{r.region} {format_gbp(r.amount)}" for r in lm3.frontend.row_tuples(by_region))
        )
    lines += ["", "By supplier type:"]
    for r in lm3.frontend.row_tuples(result.by_type()):
        if r.suppliers:
            lines.append(
                f"  {r.type:<24} {r.suppliers:>5} suppliers {format_gbp(r.amount):>16}  {pct(r.share)} of spend, "
                f"{pct(r.local_share)} of it placed locally"
            )
    unplaced = result.unplaced(top)
    if len(unplaced):
        lines += [
            "",
            f"Largest suppliers not placed (of {int((result.suppliers['location'] == 'unknown').sum())}):",
        ]
        for r in lm3.frontend.row_tuples(unplaced):
            lines.append(f"  {r.supplier:<40} {format_gbp(r.amount):>14}  {r.reason}")
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def next_step(result: LM3Result, project: Project) -> str:
    """When the figure does not stand as one figure: the commands that place more suppliers, for these
    inputs (the list of suppliers to place, an open register for the store)."""
    if result.next_step is None:
        return ""

    def several(value: object) -> tuple[object, ...]:
        return value if isinstance(value, tuple) else (value,) if value is not None else ()

    words = ["lm3", "suppliers", "template"]
    words += [f"--payments {shlex.quote(str(p))}" for p in several(project.payments)]
    words += [f"--suppliers {shlex.quote(str(p))}" for p in several(project.suppliers)]
    words += ["--out", "suppliers-to-place.xlsx"]
    return (
        "\n\nTo place the suppliers:\n  "
        + " ".join(words)
        + "\n    then fill in their postcodes and give it back with --suppliers suppliers-to-place.xlsx\n"
        "  lm3 registers download companies-house     (or charity-commission, gias, ods...: see lm3 registers)"
    )


def _sources(by_source: pd.DataFrame, reasons: pd.DataFrame) -> list[str]:
    """Where the places came from, and why the rest has none, in £ and suppliers."""
    placed = by_source[by_source["source"] != "not placed"]
    lines = []
    if len(placed):
        lines.append(
            "Placed by: "
            + "; ".join(
                f"{r.source} {format_gbp(int(r.amount))} ({int(r.suppliers)})"
                for r in lm3.frontend.row_tuples(placed)
            )
        )
    if len(reasons):
        lines.append(
            "Not placed: "
            + "; ".join(
                f"{r.why} {format_gbp(int(r.amount))} ({int(r.suppliers)})"
                for r in lm3.frontend.row_tuples(reasons)
            )
        )
    return lines


def format_result(result: LM3Result) -> str:
    """The plain-text report: the rounds as a table, the headline, where the money went, caveats."""
    codes = f" ({', '.join(result.area.codes)})" if result.area.codes and not result.area.label else ""
    title = f"LM3 for {result.area.name}{codes}"
    lines = [title + (f": {result.name}" if result.name else "")]
    lines += [f"Rule: {result.rule.text}", ""] if result.rule is not None else [""]
    lines += _rounds_table(result)
    lines += ["", result.headline, ""]
    lines += _where_it_went(result)
    lines += _round3_lines(result)
    lines += _uncertainty_lines(result)
    lines += _closing_lines(result)
    return "\n".join(lines)


def _rounds_table(result: LM3Result) -> list[str]:
    """The rounds as a table, £ and per £1, and the figure (or its range, or none)."""
    summary = result.summary()
    width = max(len(format_gbp(int(a), symbol=False)) for a in summary["amount"])
    lines = [f"  {'Round':<9}{'':<46}{'£':>{width}}  {'per £1':>6}"]
    for r in lm3.frontend.row_tuples(summary):
        label, what = (r.round, r.what) if r.round != "Not placed" else ("", "not placed: location unknown")
        lines.append(
            f"  {label:<9}{what:<46}{format_gbp(int(r.amount), symbol=False):>{width}}  {r.per_pound:>6.2f}"
        )
    if result.standing == "none":
        lines.append(f"  {'LM3':<9}{'(R1 + R2 + R3) / R1':<46}{'':>{width}}  {'none':>6}")
    elif result.figure_range is not None:
        low, high = result.figure_range
        lines.append(
            f"  {'LM3':<9}{'(R1 + R2 + R3) / R1, as placed so far':<46}{'':>{width}}  {low:.2f} to {high:.2f}"
        )
    else:
        lines.append(f"  {'LM3':<9}{'(R1 + R2 + R3) / R1':<46}{'':>{width}}  {result.lm3:>6.2f}")
    return lines


def _where_it_went(result: LM3Result) -> list[str]:
    """Suppliers by location, what placed them, what was not placed, and staff by home."""
    s = result.suppliers
    parts = []
    for location in ("local", "local branch", "non-local", "unknown"):
        chosen = s[s["location"] == location]
        if len(chosen):
            label = "not placed" if location == "unknown" else location
            parts.append(f"{len(chosen)} {label} ({format_gbp(int(chosen['round1'].sum()))})")
    lines = ["Suppliers: " + ", ".join(parts)]
    placed = result.coverage_text()
    if placed is not None:
        lines.append(placed)
    lines += _sources(result.by_source(), result.not_placed_by_reason())
    if result.bounds is not None and result.not_placed:
        lines.append(
            f"Not placed: {format_gbp(result.not_placed)}, neither local nor leaving. Bounds: {result.bounds.text()}"
        )
    if len(result.staff):
        staff = ", ".join(
            f"{int(r.employees)} {_HOME[r.home]} ({format_gbp(int(r.round1))})"
            for r in lm3.frontend.row_tuples(result.staff)
        )
        lines.append(f"Staff: {staff}")
    return lines


def _round3_lines(result: LM3Result) -> list[str]:
    """Survey answers per group, the value of £1, and non-local suppliers' re-spend."""
    lines = []
    survey = []
    for r in result.responses:
        if r.default is not None:
            survey.append(f"none from {r.members} {r.group}: the published default share {r.default.text}")
            continue
        covered = f", {r.round2_rate:.0%} of their round 2" if r.round2_rate is not None else ""
        survey.append(f"{r.respondents} of {r.members} {r.group}{covered}")
    if survey:
        lines.append("Survey answers: " + "; ".join(survey))
    value = result.value_of_a_pound()
    if value["local_supplier"] is not None:
        text = f"£1 paid to a local supplier is worth £{value['local_supplier']:.2f} to {result.area.name}"
        if value["non_local_supplier"] is not None:
            text += f"; £1 paid to a non-local one brings back {value['non_local_supplier'] * 100:.0f}p"
        lines.append(text + " (LM3 Online's framing)")
    if result.non_local is not None:
        n = result.non_local
        how = (
            f"default share {n.responses.default.text}"
            if n.responses.default
            else f"{n.responses.respondents} of {n.responses.members} answered"
        )
        lines.append(
            f"Non-local suppliers re-spend {format_gbp(n.amount)} in the area ({how}): LM3 with it "
            f"{result.lm3_with_non_local:.2f} (not in the rounds above)"
        )
    return lines


def _uncertainty_lines(result: LM3Result) -> list[str]:
    """The interval (or why there is none) and the sensitivity."""
    if result.interval is None:
        lines = [
            "Interval: none: no survey answers to resample; round 3 rests on published default shares "
            "(the sensitivity shows how far they move it)"
        ]
    else:
        i = result.interval
        lines = [
            f"Interval: LM3 {i.low:.2f} to {i.high:.2f} ({i.level:.0%}, bootstrap over respondents, "
            f"{i.draws} draws, seed {i.seed}); round 3 {format_gbp(i.round3_low)} to {format_gbp(i.round3_high)}"
        ]
    if result.sensitivity is not None and len(result.sensitivity):
        lines.append("Sensitivity (LM3 as each assumption moves over its range, largest first):")
        lines += [
            f"  - {r.assumption}: {r.low} -> {r.lm3_low:.2f}, {r.high} -> {r.lm3_high:.2f} ({r.range})"
            for r in lm3.frontend.row_tuples(result.sensitivity)
        ]
    return lines


def _closing_lines(result: LM3Result) -> list[str]:
    """Leakage, the assumptions with their sources and settings, and the warnings."""
    leak = result.leakage
    leaks = f"{format_gbp(leak['round2'])} in round 2, {format_gbp(leak['round3'])} in round 3"
    if leak["not_placed"]:
        leaks += f" (not counting the {format_gbp(leak['not_placed'])} not placed)"
    lines = [f"Leakage: {leaks}", "", "Assumptions:"]
    for a in result.assumptions:
        lines.append(f"  - {a.name}: {a.value}")
        setting = f" ({flag(a.param)}, or {a.param} in lm3.toml)" if a.param else ""
        lines.append(f"      source: {a.source}{setting}")
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w}" for w in result.warnings]
    return lines


def format_scenarios(result: LM3Result, table: pd.DataFrame) -> str:
    """The scenarios as a table: £ moved, R2, R3, LM3 with its interval, and £ kept in the area."""
    lines = [f"What if: {result.name or result.area.name}, {result.area.name}"]
    lines += [f"Rule: {result.rule.text}", ""] if result.rule is not None else [""]
    w = max(len("Scenario"), *(len(str(n)) for n in table["scenario"])) + 2
    has_interval = bool(table["low"].notna().any())  # none without survey answers: no column for it
    header = f"  {'Scenario':<{w}}{'Moved':>14}{'Round 2':>16}{'Round 3':>16}  {'LM3':>4}  "
    header += f"{'interval':<11}" if has_interval else ""
    lines.append(header + f"{'Kept locally':>15}")
    for r in lm3.frontend.row_tuples(table):
        interval = "" if r.low != r.low else f"{r.low:.2f}-{r.high:.2f}"
        lines.append(
            f"  {r.scenario:<{w}}{format_gbp(int(r.moved)):>14}{format_gbp(int(r.round2)):>16}"
            f"{format_gbp(int(r.round3)):>16}  {r.lm3:>4.2f}  "
            + (f"{interval:<11}" if has_interval else "")
            + f"{format_gbp(int(r.kept_locally)):>15}"
        )
    lines.append("")
    lines.append(
        "Moved spend comes from suppliers placed outside the area (not those of unknown location) and is "
        "re-spent at the local suppliers' survey mean, or the named supplier's own share."
    )
    empty = table[(table["moved"] == 0) & (table["scenario"] != "as now")]
    for name in empty["scenario"]:
        lines.append(f"Note: {name}: nothing to move (no spend with non-local suppliers there).")
    return "\n".join(lines)


def format_compare(compared: lm3.types.Comparison) -> str:
    """Results side by side: R1, R2, R3, LM3 with its interval, coverage, local share, survey coverage; each
    one's rule, and whether the figures can be compared."""
    table = compared.table

    def pct(x: float) -> str:
        return "-" if x != x else f"{x:.0%}"

    w = max(len("Result"), *(len(str(n)) for n in table["result"])) + 2
    lines = [
        f"  {'Result':<{w}}{'Round 1':>16}{'Round 2':>16}{'Round 3':>16}  {'LM3':>4}  {'interval':<11}"
        f"{'Placed':>7}{'Local':>7}  {'Surveys (suppliers; staff)'}"
    ]
    for r in lm3.frontend.row_tuples(table):
        interval = "" if r.low != r.low else f"{r.low:.2f}-{r.high:.2f}"
        surveys = f"{r.supplier_responses or '-'}; {r.staff_responses or '-'}"
        figure = "none" if r.lm3 != r.lm3 else f"{r.lm3:.2f}"
        lines.append(
            f"  {r.result!s:<{w}}{format_gbp(int(r.round1)):>16}{format_gbp(int(r.round2)):>16}"
            f"{format_gbp(int(r.round3)):>16}  {figure:>4}  {interval:<11}{pct(r.coverage):>7}"
            f"{pct(r.local_share):>7}  {surveys}"
        )
    lines += [
        "",
        "Placed: the share of supplier spend whose location is known. Local: local spend as a share of placed "
        "spend. Results placed to different extents differ by more than their local spend.",
        "",
        "Rules:",
    ]
    lines += [
        f"  {r.result}: {r.rule or 'not stated (written by an older lm3)'}"
        for r in lm3.frontend.row_tuples(table)
    ]
    if compared.differences:
        lines += ["", "NOT COMPARABLE: these figures count different things."]
        lines += [f"  - {d}" for d in compared.differences]
    else:
        lines += ["", "Comparable: the same area, location rule, scope, base and pay basis."]
    return "\n".join(lines)


def format_registers(held: pd.DataFrame, known: pd.DataFrame) -> str:
    """The registers the store holds, and those that can be downloaded."""
    lines = ["The register store holds:", ""]
    for r in lm3.frontend.row_tuples(held):
        lines.append(f"  {r.name:<24} {int(r.rows):>11,} rows  {r.date}  {r.title}")
        lines.append(f"  {'':<24} licence: {r.licence}; from {r.source}")
    lines += ["", "Registers lm3 can download (lm3 registers download NAME):"]
    for r in lm3.frontend.row_tuples(known):
        need = " (give --url: " + r.page + ")" if r.needs_url else ""
        lines.append(f"  {r.name:<24} {r.title}{need}")
    return "\n".join(lines)


def format_batch(result: BatchResult, out: Path) -> str:
    """A batch's summary: a line per body and year, then the problems, then where the tables are."""
    lines = []
    if result.resumed:
        lines.append(f"{result.resumed} task(s) kept from an earlier run.")
    for r in lm3.frontend.row_tuples(result.summary):
        share = "-" if pd.isna(r.local_share) else f"{r.local_share:.1%}"
        lines.append(
            f"  {r.body} {r.period}: {format_gbp(int(r.total))} in {r.rows:,} payments; placed "
            f"{r.coverage:.1%}; local share {share}; LM3 {'none (nothing placed)' if pd.isna(r.lm3) else f'{r.lm3:.2f}'}"
        )
    for p in lm3.frontend.row_tuples(result.problems):
        lines.append(f"  {p.body} {p.period}: not calculated ({p.code}): {p.problem}")
    lines.append(
        f"{len(result.summary)} body-year(s) calculated, {len(result.problems)} not; tables in {out}"
        " (summary.csv, .parquet, .xlsx; leakage.parquet; problems.csv; ranking.png)."
    )
    return "\n".join(lines)
