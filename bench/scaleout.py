"""Scale-out figures: throughput of the same batch on the local backend (2 workers, SQLite), on
Ray (2 CPUs, PostgreSQL + Redis bus) and on 2 `designlens worker` processes pulling from the
PostgreSQL queue (Redis bus); per-instance overhead of each against the local backend (tiny
images, so the figure is the backend's cost, not pixel work); peak RSS of the process tree.

    .venv/bin/python bench/scaleout.py [--images 200] [--types color,layout,typography,shadow]

Needs PostgreSQL on 127.0.0.1:5432 (database `test`) and Redis on 127.0.0.1:6379. The target
(issue 11): the distributed paths within 15 % of the local throughput on this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import sqlalchemy as sa

from designlens.bus.redis import RedisBus
from designlens.pipeline import extract
from designlens.runtime.options import RuntimeOptions
from runtime import screens  # bench/runtime.py, beside this script: the same screenshots

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379"
DESIGNLENS = str(Path(sys.executable).parent / "designlens")


class PeakRss:
    """Samples the RSS of this process and all its descendants (Ray's and the workers' too)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def pg_schema() -> Iterator[str]:
    schema = f"dl_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def timed(run: Callable[[], object], instances: int) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run."""
    with PeakRss() as rss:
        start = time.perf_counter()
        run()
        seconds = time.perf_counter() - start
    return seconds, rss.peak / 2**20


def local(paths: list[str], types: list[str], tmp: Path) -> Callable[[], object]:
    db = str(tmp / f"local-{uuid.uuid4().hex[:6]}.sqlite")
    return lambda: extract(paths, types=types, runtime=RuntimeOptions(workers=2), db=db)


def on_ray(paths: list[str], types: list[str], url: str) -> Callable[[], object]:
    def go() -> object:
        bus = RedisBus(REDIS, prefix=f"dlbench:{uuid.uuid4().hex[:8]}")
        try:
            return extract(paths, types=types, runtime=RuntimeOptions(backend="ray"), db=url, bus=bus)  # type: ignore[arg-type]
        finally:
            bus.close()

    return go


@contextmanager
def queue_workers(url: str, count: int = 2) -> Iterator[None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESIGNLENS_")}
    procs = [subprocess.Popen([DESIGNLENS, "worker", "--db", url, "--bus", REDIS], env=env)
             for _ in range(count)]
    time.sleep(3)  # they open the store and start polling; the clock starts with the job
    try:
        yield
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(60)


def on_queue(paths: list[str], types: list[str], url: str) -> Callable[[], object]:
    def go() -> object:
        bus = RedisBus(REDIS, prefix=f"dlbench:{uuid.uuid4().hex[:8]}")
        try:
            return extract(paths, types=types, runtime=RuntimeOptions(backend="queue"), db=url, bus=bus)  # type: ignore[arg-type]
        finally:
            bus.close()

    return go


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--types", default="color,layout,typography,shadow")
    parser.add_argument("--tiny", type=int, default=200, help="tiny images for the per-instance overhead")
    opts = parser.parse_args()
    types = opts.types.split(",")
    import ray

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        big = screens(tmp / "big", opts.images)
        tiny = screens(tmp / "tiny", opts.tiny, (64, 40))
        t0 = time.perf_counter()
        # workers at normal priority, like the local and queue workers (Ray's default is nice 15)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 _system_config={"worker_niceness": 0})
        print(f"ray.init (local cluster, 2 CPUs): {time.perf_counter() - t0:.1f} s (not in the figures)")
        results: dict[str, dict[str, float]] = {}
        with pg_schema() as ray_url, pg_schema() as queue_url, queue_workers(queue_url):
            runs = {
                "local (2 workers, SQLite)": lambda paths, ts: local(paths, ts, tmp),
                "ray (2 CPUs, PostgreSQL + Redis)": lambda paths, ts: on_ray(paths, ts, ray_url),
                "2 designlens workers (PostgreSQL + Redis)": lambda paths, ts: on_queue(paths, ts, queue_url),
            }
            print(f"{opts.images} screenshots of 1280x800, types {','.join(types)} "
                  f"({opts.images * len(types)} instances); overhead on {opts.tiny} 64x40 images, color only")
            for label, make in runs.items():
                seconds, rss = timed(make(big, types), len(big) * len(types))
                tiny_seconds, _ = timed(make(tiny, ["color"]), len(tiny))
                results[label] = {"seconds": seconds, "rss": rss, "tiny": tiny_seconds}
                report(label, results, opts)
        ray.shutdown()


def report(label: str, results: dict[str, dict[str, float]], opts: argparse.Namespace) -> None:
    base, r = next(iter(results.values())), results[label]
    rate = opts.images / r["seconds"]
    ratio = base["seconds"] / r["seconds"]
    overhead_ms = (r["tiny"] - base["tiny"]) / opts.tiny * 1000
    per = r["tiny"] / opts.tiny * 1000
    print(f"{label:42s} {rate:6.2f} images/s ({ratio:6.1%} of local)  per-instance {per:6.1f} ms "
          f"(overhead vs local {overhead_ms:+6.1f} ms)  peak RSS of the process tree {r['rss']:6.0f} MB",
          flush=True)


if __name__ == "__main__":
    main()
