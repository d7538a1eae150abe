"""Command line: thin. Parses, calls the library, renders progress and summaries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from designlens import __version__

app = typer.Typer(
    name="designlens",
    help="Turn UI screenshots into a design system (W3C design tokens and friends).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _formats(values: list[str]) -> list[str]:
    """Comma-separated export formats; `all` stands for every installed exporter."""
    names = _split(values)
    if "all" not in names:
        return names
    from designlens.plugins import exporters

    return sorted(exporters())


def _installed_types() -> list[str]:
    from designlens.plugins import extractors

    return sorted(extractors())


SET_HELP = (
    "TYPE.KEY=VALUE: an extractor or aggregator setting, e.g. color.merge_delta_e=3 or "
    "spacing.tolerance=0.05 (VALUE as JSON, else text)."
)


def _settings(items: list[str]) -> dict[str, dict[str, Any]]:
    """`--set TYPE.KEY=VALUE` pairs as per-type config; a typo is a usage error."""
    from designlens.plugins import settings

    try:
        return settings(items)
    except ValueError as e:
        raise _usage_error(str(e)) from None


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


@app.command()
def extract(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Image files, directories or globs.", show_default=False)
    ] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output directory.")] = Path("out"),
    types: Annotated[
        list[str],
        typer.Option("--types", help="Token types, comma separated (default: every installed extractor)."),
    ] = [],  # noqa: B006
    formats: Annotated[list[str], typer.Option("--formats", help="Formats, comma separated, or all.")] = [  # noqa: B006
        "dtcg",
        "css",
    ],
    workers: Annotated[int, typer.Option("--workers", min=0, help="Worker processes (0: one per core).")] = 0,
    scale: Annotated[
        str, typer.Option("--scale", help="Image px per CSS px: auto, 1, 2 or 3.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Job store: SQLAlchemy URL or SQLite file [env DESIGNLENS_DATABASE_URL]."),
    ] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Finish an interrupted job by its id.")
    ] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Print worker stats: calls, errors, restarts, latency.")
    ] = False,
    cache: Annotated[
        str | None, typer.Option("--cache", help="Result cache: a directory or redis://HOST:PORT/DB.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per instance before its worker is killed.")
    ] = 120.0,
    memory_limit: Annotated[
        int, typer.Option("--memory-limit", min=0, help="MB of address space per worker (0: no cap).")
    ] = 4096,
    strategy: Annotated[
        str, typer.Option("--strategy", help="Worker restarts: one_for_one, one_for_all, rest_for_one.")
    ] = "one_for_one",
    worker_cmd: Annotated[
        list[str],
        typer.Option("--worker-cmd", help="TYPE=COMMAND: run TYPE on an external worker (docs/PROTOCOL.md)."),
    ] = [],  # noqa: B006
    overlay: Annotated[
        bool, typer.Option("--overlay", help="Also write overlays/<image>.png: boxes, spacing, radii.")
    ] = False,
    backend: Annotated[
        str | None,
        typer.Option("--backend", help="local, queue (designlens worker processes on --db) or ray "
                     "[env DESIGNLENS_BACKEND; default local]."),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Ray cluster: auto or ray://HOST:PORT (default: a local one)."),
    ] = None,
    bus: Annotated[
        str | None, typer.Option("--bus", help="Also publish events to Redis Streams (redis://...).")
    ] = None,
    settings: Annotated[list[str], typer.Option("--set", help=SET_HELP)] = [],  # noqa: B006
) -> None:
    """Extract tokens from screenshots and write the exports to OUT.

    Exit codes: 0 all good, 1 some inputs failed (the rest is exported), 2 usage error,
    130 interrupted (resume with --resume JOB_ID).
    """
    from dataclasses import replace

    from designlens.runtime.options import cli_runtime

    try:
        runtime = cli_runtime(workers, timeout, memory_limit, strategy, worker_cmd)
        runtime = replace(
            runtime, backend=backend or runtime.backend, ray_address=ray_address or runtime.ray_address
        )
    except ValueError as exc:
        raise _usage_error(str(exc)) from None
    if not paths and not resume:
        raise _usage_error("give image paths, or --resume JOB_ID")
    from designlens.cli_view import Progress, print_stats, print_summary, summary_json
    from designlens.errors import DesignlensError, Interrupted, UsageError
    from designlens.pipeline import extract as run
    from designlens.pipeline import render_exports, write_exports
    from designlens.runtime.options import default_cache_dir
    from designlens.store import database_url

    type_list, format_list = _split(types) or _installed_types(), _formats(formats)
    config = _settings(settings)
    try:
        scale_value: float | Literal["auto"] = "auto" if scale == "auto" else float(scale)
    except ValueError:
        raise _usage_error(f"--scale must be auto or a number, got {scale!r}") from None
    progress = None if as_json or not sys.stderr.isatty() else Progress()
    event_bus: Any = progress.bus if progress else None
    result_cache: Any = None if no_cache else (cache or default_cache_dir())
    try:
        if bus:
            from designlens.bus import open_bus

            event_bus = open_bus(bus, event_bus)
        if isinstance(result_cache, str) and result_cache.startswith("redis://"):
            from designlens.cache_redis import RedisCache

            result_cache = RedisCache(result_cache)
        result = run(
            paths or [],
            types=type_list,
            config=config,
            bus=event_bus,
            scale=scale_value,
            db=database_url(db),
            cache=result_cache,
            resume=resume,
            runtime=runtime,
            handle_signals=True,
        )
        files = render_exports(result.tokens, result.graph, format_list, _report_options(result, format_list))
        if overlay:
            from designlens.overlay import render_overlays

            files.update(render_overlays(result.images))
        written = write_exports(files, out)
    except UsageError as exc:
        raise _usage_error(str(exc)) from None
    except Interrupted as exc:
        if progress:
            progress.stop()
        typer.echo(f"interrupted: {exc}\nresume with: designlens extract --resume {exc.job_id}"
                   + (f" --db {db}" if db else "") + f" -o {out}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except DesignlensError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_SOME_FAILED) from None
    finally:
        if progress:
            progress.stop()
        if bus and event_bus is not None and hasattr(event_bus, "close"):
            event_bus.close()
    code = EXIT_SOME_FAILED if result.failures else EXIT_OK
    if as_json:
        typer.echo(json.dumps(summary_json(result, written, sorted(files)), indent=2))
    else:
        print_summary(result, written, sorted(files))
    if stats:
        print_stats(result.stats, as_json)
    for image in result.images:
        for message in image.warnings:
            typer.echo(f"warning: {image.source}: {message}", err=True)
    for source, reason in result.failures:
        typer.echo(f"error: {source}: {reason}", err=True)
    raise typer.Exit(code)


@app.command("worker")
def worker(
    plugin: Annotated[
        list[str], typer.Option("--plugin", help="MODULE:ATTR extractor to host as well.")
    ] = [],  # noqa: B006
    db: Annotated[
        str | None, typer.Option("--db", help="Pull instances from this shared store (docs/SCALING.md).")
    ] = None,
    bus: Annotated[str | None, typer.Option("--bus", help="Event bus URL (redis://...).")] = None,
    slots: Annotated[int, typer.Option("--slots", min=1, help="Instances run at once (with --db).")] = 1,
    lease: Annotated[float, typer.Option("--lease", min=0.5, help="Seconds a claim lives unrenewed.")] = 30.0,
    idle_exit: Annotated[
        float | None, typer.Option("--idle-exit", help="Exit after this many seconds with nothing to do.")
    ] = None,
    poll: Annotated[
        float | None,
        typer.Option("--poll", min=0.01, help="Idle seconds between store polls (0.2; 2 with --bus)."),
    ] = None,
) -> None:
    """Host the extractor plugins and answer framed requests on stdin/stdout (docs/PROTOCOL.md);
    with --db, pull instances from the shared queue instead."""
    if db is not None:
        from designlens.runtime.queue_worker import WorkerOptions
        from designlens.runtime.queue_worker import main as queue_main

        raise typer.Exit(queue_main(WorkerOptions(db, bus, slots, lease, poll, idle_exit)))
    from designlens.runtime.worker import main as worker_main

    raise typer.Exit(worker_main([a for p in plugin for a in ("--plugin", p)]))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Job store: SQLAlchemy URL or SQLite file (env DESIGNLENS_DATABASE_URL)."),
    ] = None,
    data_dir: Annotated[
        str | None,
        typer.Option(
            "--data-dir", help="Images and exports (env DESIGNLENS_DATA_DIR; default beside the store)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Worker processes per job (0: one per core).")
    ] = 0,
    backend: Annotated[
        str | None, typer.Option("--backend", help="local, queue or ray [env DESIGNLENS_BACKEND].")
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster [env DESIGNLENS_RAY_ADDRESS].")
    ] = None,
    bus: Annotated[
        str | None,
        typer.Option("--bus", help="Redis Streams bus (redis://...) for SSE across API processes "
                     "[env DESIGNLENS_BUS_URL]."),
    ] = None,
) -> None:
    """Serve the HTTP API, live progress (SSE) and the web page; resumes unfinished jobs.

    Without DESIGNLENS_API_TOKENS it listens on loopback only.
    """
    import os

    from designlens.api.server import serve as run_server
    from designlens.errors import UsageError

    if backend:  # the service's jobs build their RuntimeOptions, which read these
        os.environ["DESIGNLENS_BACKEND"] = backend
    if ray_address:
        os.environ["DESIGNLENS_RAY_ADDRESS"] = ray_address
    if bus:  # read by ServiceSettings.from_env
        os.environ["DESIGNLENS_BUS_URL"] = bus

    try:
        run_server(host, port, db, data_dir, workers or None)
    except UsageError as exc:
        raise _usage_error(str(exc)) from None


def _report_options(result: Any, formats: list[str]) -> dict[str, Any]:
    """Thumbnails of the images each color came from, when the HTML report is wanted."""
    if "report" not in formats and "all" not in formats:
        return {}
    from designlens.images import thumbnail

    thumbs = {r.image_id: thumbnail(r.source) for r in result.images if r.error is None and r.image_id}
    return {"thumbnails": {k: v for k, v in thumbs.items() if v is not None}}


@app.command("plugins")
def list_plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the plugins designlens loaded, with versions, and any that failed to load."""
    from designlens.plugins import GROUPS, discover

    rows: list[dict[str, Any]] = []
    for kind in GROUPS:
        loaded, broken = discover(kind)
        for p in loaded:
            rows.append(
                {"kind": kind, "name": p.entry_name, "version": p.version,
                 "package": f"{p.package} {p.package_version}", "status": "ok"}
            )
        for b in broken:
            rows.append({"kind": kind, "name": b.entry_name, "version": "", "package": "",
                         "status": f"broken: {b.error}"})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("kind", "name", "version", "package", "status")
    for r in rows:
        table.add_row(r["kind"], r["name"], r["version"], r["package"], r["status"])
    Console().print(table)


@app.command("export")
def export(
    tokens_file: Annotated[Path, typer.Argument(help="A DTCG tokens.json (from a previous extract).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output directory.")] = Path("out"),
    formats: Annotated[list[str], typer.Option("--formats", help="Formats, comma separated, or all.")] = [  # noqa: B006
        "all"
    ],
) -> None:
    """Re-export an existing DTCG file to other formats, without extracting again."""
    from designlens.errors import DesignlensError, UsageError
    from designlens.pipeline import relate, render_exports, write_exports
    from designlens.tokens.dtcg import loads

    try:
        text = tokens_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _usage_error(f"{tokens_file}: {exc.strerror or exc}") from None
    try:
        tokens = loads(text)
        files = render_exports(tokens, relate(tokens), _formats(formats))
        written = write_exports(files, out)
    except UsageError as exc:
        raise _usage_error(str(exc)) from None
    except DesignlensError as exc:
        typer.echo(f"error: {tokens_file}: {exc}", err=True)
        raise typer.Exit(EXIT_SOME_FAILED) from None
    typer.echo(f"wrote {', '.join(sorted(files))} to {written}")


@app.command("eval")
def evaluate(
    directory: Annotated[Path, typer.Argument(help="Directory of ground-truth JSON files and their images.")],
    types: Annotated[
        list[str] | None,
        typer.Option("--types", help="Token types to extract, comma separated (default: every installed)."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Worker processes (0: one per core).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object {pages, overall}.")] = False,
    settings: Annotated[list[str], typer.Option("--set", help=SET_HELP)] = [],  # noqa: B006
) -> None:
    """Score extraction against browser ground truth (eval/GROUND_TRUTH.md)."""
    from designlens.errors import InputError
    from designlens.evaluate import evaluate_dir

    config = _settings(settings)
    try:
        report = evaluate_dir(
            directory, _split(types) if types else None, config=config, workers=workers or None
        )
    except InputError as exc:
        raise _usage_error(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        from designlens.evaluate.table import print_report

        print_report(report)
    for name in report.skipped:
        typer.echo(f"note: no extractor for token type {name!r}: its scores are null", err=True)
    for err in report.errors:
        typer.echo(f"error: {err}", err=True)
    raise typer.Exit(EXIT_SOME_FAILED if report.errors else EXIT_OK)


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def run() -> None:
    app()
