"""Runtime figures: throughput on 1 and 2 workers, protocol overhead per call with a 1 MB
image, cold run vs cached re-run, and peak RSS of the whole process tree over a big batch.

    .venv/bin/python bench/runtime.py [--images 60] [--cached 200] [--batch 2000] [--types color,...]

Throughput and cache runs use every installed token type by default, as `designlens extract`
does; the cache run is repeated for color alone.

Prints one line per figure; the targets are in the issue (2 workers >= 1.7x one worker,
< 1 ms overhead per call, >= 50x faster cached, < 600 MB peak RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from PIL import Image, ImageDraw

from designlens import plugins
from designlens.events import Event, EventBus
from designlens.pipeline import extract
from designlens.runtime.options import RuntimeOptions, default_worker_argv
from designlens.runtime.supervisor import PoolSpec, Supervisor


def screens(folder: Path, count: int, size: tuple[int, int] = (1280, 800)) -> list[str]:
    """Generated UI-like screenshots, each different."""
    folder.mkdir(parents=True, exist_ok=True)
    w, h = size
    paths = []
    for i in range(count):
        img = Image.new("RGB", size, "#ffffff")
        d = ImageDraw.Draw(img)
        d.rectangle([0, 0, w, h // 12], fill="#1f2937")
        d.rounded_rectangle([w // 16, h // 6, w // 2, h * 2 // 3], radius=12, fill="#f1f3f5",
                            outline="#d1d5db")
        for row in range(10):
            y = h // 5 + row * (h // 30)
            d.text((w // 12, y), f"Row {row} of screen {i}: settings, billing, team", fill="#6b7280")
        d.rounded_rectangle([w // 12, h * 3 // 5, w // 12 + 160, h * 3 // 5 + 44], radius=8,
                            fill=(37, 99, (235 + i) % 256))
        d.ellipse([w * 3 // 4, h // 5, w * 3 // 4 + 80, h // 5 + 80], fill=(220, 38 + i % 200, 38))
        path = folder / f"screen-{i:05d}.png"
        img.save(path, compress_level=1)
        paths.append(str(path))
    return paths


def throughput(paths: list[str], types: list[str]) -> None:
    """Images per second end to end, and at steady state: from the first finished image to
    the last, which leaves out the workers' start (interpreter, plugins, compiled kernels)."""
    rates: dict[int, tuple[float, float]] = {}
    for workers in (1, 2):
        done: dict[str, int] = {}
        finished: list[float] = []

        def on_event(event: Event, done: dict[str, int] = done, finished: list[float] = finished) -> None:
            src = str(event.data.get("source"))
            done[src] = done.get(src, 0) + 1
            if done[src] == len(types):
                finished.append(time.perf_counter())

        bus = EventBus()
        bus.subscribe(on_event, "instance.completed")
        start = time.perf_counter()
        result = extract(paths, types=types, bus=bus, runtime=RuntimeOptions(workers=workers))
        seconds = time.perf_counter() - start
        assert not result.failures, result.failures
        steady = (len(finished) - 1) / (finished[-1] - finished[0])
        rates[workers] = (len(paths) / seconds, steady)
        print(f"throughput, {workers} worker(s): {rates[workers][0]:.2f} images/s end to end "
              f"({len(paths)} images, {seconds:.1f} s), {steady:.2f} images/s at steady state")
    print(f"throughput, speed-up 2 vs 1 workers ({'+'.join(types)}): "
          f"{rates[2][0] / rates[1][0]:.2f}x end to end, {rates[2][1] / rates[1][1]:.2f}x at steady state "
          "(target >= 1.7x)")


def protocol_overhead(calls: int = 300) -> None:
    payload = os.urandom(1 << 20)  # 1 MB, as an encoded screenshot would be

    async def body() -> tuple[list[float], list[float]]:
        sup = Supervisor(PoolSpec(argv=default_worker_argv(), ping_interval=0))
        await sup.start()
        empty, full = [], []
        for _ in range(calls):  # back to back, as a batch runs
            t = time.perf_counter()
            await sup.call("ping", {"data": payload})
            full.append(time.perf_counter() - t)
        for _ in range(calls):
            t = time.perf_counter()
            await sup.call("ping", {})
            empty.append(time.perf_counter() - t)
        await sup.close()
        return empty, full

    empty, full = asyncio.run(body())
    print(f"protocol, round trip of an empty call: median {statistics.median(empty) * 1000:.3f} ms")
    print(f"protocol, round trip carrying a 1 MB image: median {statistics.median(full) * 1000:.3f} ms, "
          f"p90 {sorted(full)[int(0.9 * len(full))] * 1000:.3f} ms (target < 1 ms)")


def cached_rerun(paths: list[str], tmp: Path, types: list[str]) -> None:
    """Cold run, then the median of three cached re-runs (the merge across images stays)."""
    cache = tmp / f"cache-{'+'.join(types)}"
    start = time.perf_counter()
    extract(paths, types=types, cache=cache, runtime=RuntimeOptions(workers=2))
    cold = time.perf_counter() - start
    warm_runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = extract(paths, types=types, cache=cache, runtime=RuntimeOptions(workers=2))
        warm_runs.append(time.perf_counter() - start)
        assert result.stats["instances"]["cached"] == len(paths) * len(types)
    warm = statistics.median(warm_runs)
    print(f"cache, {len(paths)} images ({'+'.join(types)}): cold {cold:.2f} s, cached re-run {warm:.3f} s, "
          f"{cold / warm:.0f}x faster (target >= 50x)")


def peak_rss(count: int, tmp: Path, size: tuple[int, int]) -> None:
    folder = tmp / "batch"
    screens(folder, count, size=size)
    cli = str(Path(sys.executable).parent / "designlens")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg")}
    start = time.perf_counter()
    proc = subprocess.Popen([cli, "extract", str(folder), "-o", str(tmp / "out"), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(proc.pid)
    peak, parts, peak_pss, samples = 0, [0], 0, 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            rss = [p.memory_info().rss for p in tree if p.is_running()]
            if sum(rss) > peak:
                peak, parts = sum(rss), rss
            samples += 1
            if samples % 10 == 0:  # PSS reads smaps: costly, so every 10th sample
                peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    mb = 1 << 20
    print(f"memory, {count} images of {size[0]}x{size[1]} on 2 workers: peak RSS of the process tree "
          f"{peak / mb:.0f} MB in {seconds:.0f} s, exit {proc.returncode} (target < 600 MB); at the peak "
          f"the CLI {parts[0] / mb:.0f} MB and workers {', '.join(f'{r / mb:.0f}' for r in parts[1:])} MB; "
          f"peak PSS (shared libraries counted once) {peak_pss / mb:.0f} MB")


def cli_startup(tmp: Path) -> None:
    """The job log's cost on the 1-image CLI path: with the store vs without (env points nowhere)."""
    [path] = screens(tmp / "one", 1)
    cli = str(Path(sys.executable).parent / "designlens")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg1")}
    times = []
    for _ in range(3):
        shutil.rmtree(tmp / "xdg1", ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([cli, "extract", path, "-o", str(tmp / "o1")], env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - t)
    print(f"cli, 1 image, fresh store: median {statistics.median(times):.2f} s")
    t = time.perf_counter()
    subprocess.run([cli, "extract", path, "-o", str(tmp / "o1"), "--no-cache"], env=env, check=True,
                   capture_output=True)
    print(f"cli, 1 image, existing store, no cache: {time.perf_counter() - t:.2f} s")
    lines = subprocess.run([sys.executable, "-X", "importtime", "-c", "import designlens.store.database"],
                           capture_output=True, text=True).stderr.splitlines()
    [line] = [x for x in lines if x.rstrip().endswith(" sqlalchemy")]
    micros = int(line.split("|")[1])
    print(f"cli, import cost of SQLAlchemy (the store), in the parent only: {micros / 1000:.0f} ms; "
          "Alembic loads only when the schema is not at head")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=60, help="images for the throughput run")
    parser.add_argument("--cached", type=int, default=200, help="images for the cache run")
    parser.add_argument("--batch", type=int, default=2000, help="images for the memory run")
    parser.add_argument("--batch-size", default="640x400", help="WxH of the memory run's images")
    parser.add_argument("--skip", action="append", default=[], help="throughput|protocol|cache|memory|cli")
    parser.add_argument("--types", default=",".join(sorted(plugins.extractors())),
                        help="token types for the throughput and cache runs (default: every installed, "
                             "as `designlens extract` does)")
    opts = parser.parse_args()
    types = opts.types.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="designlens-bench-"))
    try:
        if "protocol" not in opts.skip:
            protocol_overhead()
        if "throughput" not in opts.skip:
            throughput(screens(tmp / "tp", opts.images), types)
        if "cache" not in opts.skip:
            cached = screens(tmp / "cache-run", opts.cached)
            cached_rerun(cached, tmp, types)
            if types != ["color"]:
                cached_rerun(cached, tmp, ["color"])
        if "cli" not in opts.skip:
            cli_startup(tmp)
        if "memory" not in opts.skip:
            w, h = (int(v) for v in opts.batch_size.split("x"))
            peak_rss(opts.batch, tmp, (w, h))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
