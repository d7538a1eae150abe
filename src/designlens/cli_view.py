"""Terminal rendering for the CLI: progress bar (an event subscriber), summary table, JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from designlens.events import Event, EventBus
from designlens.pipeline import ExtractionResult
from designlens.tokens import Alias, Color, TokenSet, Typography


class Progress:
    """A rich progress bar fed by the event bus."""

    def __init__(self) -> None:
        self.bus = EventBus()
        self._bar = RichProgress(
            TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"), console=Console(stderr=True), transient=True,
        )
        self._task = self._bar.add_task("extract", total=None, last="")
        self._bar.start()
        self.bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.name == "job.created":
            self._bar.update(self._task, total=event.data.get("instances", event.data.get("inputs", 0)))
        elif event.name in ("instance.completed", "instance.failed"):
            self._bar.update(self._task, advance=1, last=Path(str(event.data.get("source", ""))).name)

    def stop(self) -> None:
        self._bar.stop()


def _readable(value: object, tokens: TokenSet) -> str:
    """A token value as a designer reads it: CSS for most, a one-line summary for typography."""
    from designlens.export.css import css_value

    def show(v: object) -> str:
        seen = 0
        while isinstance(v, Alias) and v.path in tokens and seen < 8:  # follow aliases to values
            v, seen = tokens[v.path].value, seen + 1
        return css_value(v)

    if isinstance(value, Typography):
        return (f"{show(value.font_size)} / {show(value.line_height)} {show(value.font_weight)} "
                f"{show(value.font_family)}")
    try:
        return show(value)
    except TypeError:
        return str(value)


def print_summary(result: ExtractionResult, out: Path, files: list[str]) -> None:
    console = Console()
    ok = sum(1 for r in result.images if r.error is None)
    table = Table(title=f"{len(result.tokens)} tokens from {ok} image(s)")
    table.add_column("swatch")
    table.add_column("token")
    table.add_column("value", overflow="fold")
    table.add_column("share", justify="right")
    table.add_column("images", justify="right")
    for token in result.tokens:
        if isinstance(token.value, Color):
            swatch = Text("      ", style=f"on {token.value.hex}")
            share = float(token.extensions.get("share", 0.0))
            table.add_row(swatch, token.name, token.value.hex, f"{share:.2%}", str(len(token.images)))
        else:
            table.add_row("", token.name, _readable(token.value, result.tokens), "", str(len(token.images)))
    console.print(table)
    console.print(f"wrote {', '.join(files)} to [bold]{out}[/bold]")
    if result.failures:
        console.print(f"[red]{len(result.failures)} input(s) failed[/red] (listed on stderr)")


def summary_json(result: ExtractionResult, out: Path, files: list[str]) -> dict[str, Any]:
    return {
        "job_id": result.job_id,
        "output": str(out),
        "files": files,
        "tokens": len(result.tokens),
        "images": [
            {"source": r.source, "id": r.image_id, "ok": r.error is None, "error": r.error,
             "tokens": len(r.tokens), "seconds": round(r.seconds, 4), "warnings": list(r.warnings)}
            for r in result.images
        ],
        "failures": [{"source": s, "error": e} for s, e in result.failures],
        "runtime": result.stats,
    }


def print_stats(stats: dict[str, Any], as_json: bool = False) -> None:
    """Worker pool stats (calls, errors, restarts, latency percentiles) and cache use, on stderr."""
    console = Console(stderr=True)
    if not console.is_terminal:
        console.width = 120  # a log keeps the whole table
    if as_json:
        console.print_json(data=stats)
        return
    table = Table("pool", "calls", "errors", "restarts", "timeouts", "crashes", "p50 ms", "p90 ms", "p99 ms",
                  title="workers")
    for name, pool in stats.get("pools", {}).items():
        lat = pool["latency_ms"]
        table.add_row(name, *(str(pool[k]) for k in ("calls", "errors", "restarts", "timeouts", "crashes")),
                      *(f"{lat[k]:.1f}" for k in ("p50", "p90", "p99")))
    console.print(table)
    counts = stats.get("instances", {})
    cache = stats.get("cache", {})
    console.print(
        "instances: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        + (f"; cache: {cache.get('hits', 0)} hits, {cache.get('misses', 0)} misses" if cache else "")
    )
