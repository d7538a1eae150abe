"""The human-readable eval report: one rich table, a row per page and one overall."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from designlens.evaluate.run import EvalReport
from designlens.evaluate.scores import SCORES, Score


def _cell(key: str, value: Score) -> str:
    if value is None:
        return "-"
    if key == "palette_size":
        return f"{value:.1f}" if value != int(value) else str(int(value))
    if key == "seconds":
        return f"{value:.2f}"
    return f"{value:.3f}"


def report_table(report: EvalReport) -> Table:
    """Columns for every score some page has; scores no page has are named in the caption."""
    overall = report.overall
    shown = [k for k in SCORES if overall[k] is not None]
    missing = [k for k in SCORES if overall[k] is None]
    types = ", ".join(report.types) or "-"
    table = Table(title=f"designlens eval: {len(report.pages)} page(s), types {types}")
    table.add_column("page", no_wrap=True)
    for key in (*shown, "seconds"):
        table.add_column(key.replace("_", " "), justify="right")
    for page in report.pages:
        row = {**page.scores, "seconds": page.seconds}
        table.add_row(page.truth.name, *(_cell(k, row[k]) for k in (*shown, "seconds")))
    table.add_section()
    table.add_row("[bold]overall (mean)[/bold]", *(_cell(k, overall[k]) for k in (*shown, "seconds")))
    if missing:
        table.caption = f"null (not extracted or no truth): {', '.join(missing)}"
    return table


def print_report(report: EvalReport, console: Console | None = None) -> None:
    (console or Console()).print(report_table(report))
