"""A service job's run in its own process, so the API process only serves HTTP.

Coordinating a run is Python work (decoding results, flushing the job log, merging tokens,
rendering exports); in a thread of the API process it held the GIL for ~20 % of the time
the event loop wanted it (py-spy --gil under bench/service.py). In a child process it
competes only for a core. The child reports instance events (for /metrics) and its outcome
over a pipe; a second pipe is its lifeline: when the API process dies (even SIGKILL) the
child sees it close and exits at once, leaving the job to the restarted server, which
resumes it from the job log. The job row names the API process as owner (DESIGNLENS_OWNER),
so that check looks at the process that died.
"""

from __future__ import annotations

import contextlib
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

INSTANCE_EVENTS = ("instance.started", "instance.completed", "instance.failed")
OWNER_ENV = "DESIGNLENS_OWNER"


def _die_with_parent(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()  # the parent never sends: this ends (EOFError) when it closes or dies
    os._exit(3)


def run_job(job_id: str, settings: Any, worker_argv: tuple[str, ...], owner: str,
            events: Connection, lifeline: Connection) -> None:
    """Run one job (resume by id) and render its exports; sends ("event", name, job, data)
    for instance events, then ("completed", stats) | ("interrupted",) | ("failed", message)."""
    os.environ[OWNER_ENV] = owner
    threading.Thread(target=_die_with_parent, args=(lifeline,), daemon=True).start()
    from designlens.errors import Interrupted
    from designlens.events import Event, EventBus
    from designlens.pipeline import extract
    from designlens.runtime.options import RuntimeOptions

    bus = EventBus()

    def forward(event: Event) -> None:
        if event.name in INSTANCE_EVENTS:
            events.send(("event", event.name, event.job_id, dict(event.data)))

    bus.subscribe(forward)
    run_bus: Any = bus
    if settings.bus:  # live events for other processes, and wakes idle queue workers
        from designlens.bus import open_bus

        run_bus = open_bus(settings.bus, bus, prefix=settings.bus_prefix)
    runtime = RuntimeOptions(
        workers=settings.workers, grace=settings.grace, call_timeout=settings.call_timeout,
        worker_argv=worker_argv,
    )
    try:
        result = extract([], resume=job_id, db=settings.db, bus=run_bus, runtime=runtime,
                         cache=settings.cache_dir)
    except Interrupted:
        events.send(("interrupted",))
        return
    except Exception as exc:
        import traceback

        events.send(("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        return
    finally:
        if run_bus is not bus:
            run_bus.close()
    events.send(("completed", result.stats))
    try:  # render once now, so the first download is instant
        from designlens.api.jobs import JobService
        from designlens.api.metrics import ServiceMetrics

        svc = JobService(settings, ServiceMetrics(), relay=False)
        svc.exports(job_id)
        svc.store.close()
    except Exception:
        import logging

        logging.getLogger(__name__).exception("job %s: rendering exports failed", job_id)
