"""Service figures under load: with a job extracting on both cores, 50 concurrent clients on
loopback read job status and SSE streams for a bounded time.

    .venv/bin/python bench/service.py [--clients 50] [--streams 10] [--seconds 20] [--images 50]
        [--types color,layout,typography] [--load-jobs 2] [--client lean|httpx] [--idle]
        [--bus redis://127.0.0.1:6379/0]

Prints p50/p99 latency of GET /api/v1/jobs/{id}, events delivered per second (live, and
replaying a finished job's log), and the server's RSS (API process, and with its workers).
Target (issue 10): p99 < 50 ms while both cores extract.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import psutil
from PIL import Image, ImageDraw


def screenshot(i: int, size: tuple[int, int] = (1280, 800)) -> bytes:
    w, h = size
    img = Image.new("RGB", size, "#ffffff")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, w, h // 12], fill="#1f2937")
    d.rounded_rectangle([w // 16, h // 6, w // 2, h * 2 // 3], radius=12, fill="#f1f3f5", outline="#d1d5db")
    accent = f"#{(37 + i) % 256:02x}63eb"
    d.rounded_rectangle([w // 12, h // 2, w // 12 + 160, h // 2 + 44], radius=8, fill=accent)
    for k in range(10):
        d.rectangle([w // 12, h // 4 + 22 * k, w // 12 + 300 + 7 * ((i + k) % 20), h // 4 + 22 * k + 9],
                    fill="#6b7280")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, port: int, bus: str | None = None) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "designlens"
    env = {**os.environ, "DESIGNLENS_RATE_LIMIT": "0", "DESIGNLENS_SSE_KEEPALIVE": "5",
           "DESIGNLENS_BUS_PREFIX": f"bench-{port}"}
    env.pop("DESIGNLENS_API_TOKENS", None)
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--db", str(root / "store.sqlite"), "--workers", "2",
         *(("--bus", bus) if bus else ())],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


async def poller(
    client: httpx2.AsyncClient, url: str, until: float, think: float, out: list[float], server: list[float]
) -> None:
    while time.monotonic() < until:
        start = time.perf_counter()
        res = await client.get(url)
        out.append(time.perf_counter() - start)
        res.raise_for_status()
        timing = res.headers.get("server-timing", "")
        if "dur=" in timing:
            server.append(float(timing.split("dur=")[1]) / 1000)
        await asyncio.sleep(think)


async def raw_poller(
    port: int, url: str, until: float, think: float, out: list[float], server: list[float]
) -> None:
    """The same polling on a raw keep-alive HTTP/1.1 connection: a few µs of client CPU per
    request instead of httpx's ~1 ms, so on a saturated machine the figure is the server's
    latency rather than this client's own queueing (`--client httpx` measures with httpx)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
    try:
        while time.monotonic() < until:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
            await reader.readexactly(int(headers["content-length"]))
            out.append(time.perf_counter() - start)
            if not lines[0].startswith("HTTP/1.1 200"):
                raise SystemExit(f"GET {url}: {lines[0]}")
            timing = headers.get("server-timing", "")
            if "dur=" in timing:
                server.append(float(timing.split("dur=")[1]) / 1000)
            await asyncio.sleep(think)
    finally:
        writer.close()


async def streamer(client: httpx2.AsyncClient, url: str, until: float, counts: list[int]) -> None:
    n = 0
    with contextlib.suppress(asyncio.TimeoutError, TimeoutError, httpx2.HTTPError):
        async with asyncio.timeout(max(0.1, until - time.monotonic())):
            async with client.stream("GET", url) as res:
                async for line in res.aiter_lines():
                    if line.startswith("event:"):
                        n += 1
    counts.append(n)


def rss(pid: int) -> tuple[int, int]:
    """(API process RSS, RSS of the process and all its children) in bytes."""
    try:
        proc = psutil.Process(pid)
        own = proc.memory_info().rss
        tree = own + sum(c.memory_info().rss for c in proc.children(recursive=True))
        return own, tree
    except psutil.Error:
        return 0, 0


async def run(args: argparse.Namespace) -> None:
    if args.idle:
        args.load_jobs = 0
    root = Path(tempfile.mkdtemp(prefix="designlens-bench-service-"))
    port = free_port()
    server = start_server(root, port, args.bus)
    base = f"http://127.0.0.1:{port}"
    try:
        limits = httpx2.Limits(max_connections=args.clients + 10, max_keepalive_connections=args.clients + 10)
        async with httpx2.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            files = [("files", (f"s{i}.png", screenshot(i), "image/png")) for i in range(args.images)]
            created = (await client.post("/api/v1/jobs", files=files, data={"types": args.types})).json()
            job_url, events_url = f"/api/v1/jobs/{created['id']}", created["events_url"]
            for k in range(args.load_jobs):  # queued behind it: extraction goes on after it completes
                more = [("files", (f"l{k}-{i}.png", screenshot(1000 * (k + 1) + i), "image/png"))
                        for i in range(args.images)]
                await client.post("/api/v1/jobs", files=more, data={"types": args.types})
            while (await client.get(job_url)).json()["counts"]["complete"] < 1:  # workers up, extracting
                await asyncio.sleep(0.1)
            if args.idle:  # the comparison: same load on a finished job, no extraction running
                while (await client.get(job_url)).json()["status"] not in ("completed", "failed"):
                    await asyncio.sleep(0.5)
            psutil.cpu_percent(None)
            api_proc, me = psutil.Process(server.pid), psutil.Process()
            api_cpu0, me_cpu0 = sum(api_proc.cpu_times()[:2]), sum(me.cpu_times()[:2])
            load0 = os.getloadavg()[0]
            latencies: list[float] = []
            in_server: list[float] = []
            counts: list[int] = []
            peak = (0, 0)
            until = time.monotonic() + args.seconds
            started = time.monotonic()
            pollers = args.clients - args.streams
            if args.client == "lean":
                args_ = (port, job_url, until, args.think, latencies, in_server)
                tasks = [asyncio.create_task(raw_poller(*args_)) for _ in range(pollers)]
            else:
                tasks = [asyncio.create_task(poller(client, job_url, until, args.think, latencies, in_server))
                         for _ in range(pollers)]
            tasks += [asyncio.create_task(streamer(client, events_url, until, counts))
                      for _ in range(args.streams)]
            while time.monotonic() < until:
                await asyncio.sleep(0.5)
                now = rss(server.pid)
                peak = (max(peak[0], now[0]), max(peak[1], now[1]))
            await asyncio.gather(*tasks)
            elapsed = time.monotonic() - started
            cpu = psutil.cpu_percent(None)
            listing = (await client.get("/api/v1/jobs", params={"limit": 50})).json()["items"]
            extracting = any(j["status"] == "running" for j in listing)
            api_cpu = (sum(api_proc.cpu_times()[:2]) - api_cpu0) / elapsed
            me_cpu = (sum(me.cpu_times()[:2]) - me_cpu0) / elapsed
            status = (await client.get(job_url)).json()
            ordered = sorted(latencies)

            def pct(q: float, values: list[float] = ordered) -> float:
                return values[min(len(values) - 1, int(q * len(values)))] * 1000

            print(f"clients: {args.clients} ({pollers} status pollers on {args.client}, think "
                  f"{args.think * 1000:.0f} ms; {args.streams} SSE streams), {elapsed:.1f} s, "
                  f"machine CPU {cpu:.0f} % while job extracted "
                  f"({status['counts']['complete']}/{status['counts']['total']} instances of the polled job "
                  f"done; a job still extracting at the end: {'yes' if extracting else 'NO'})")
            print(f"CPU: API process {api_cpu * 100:.0f} % of a core, this client {me_cpu * 100:.0f} %; "
                  f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f} (incl. other work on the machine)")
            print(f"GET /api/v1/jobs/{{id}}: {len(ordered)} requests, p50 {pct(0.5):.1f} ms, "
                  f"p99 {pct(0.99):.1f} ms, max {ordered[-1] * 1000:.1f} ms, mean "
                  f"{statistics.mean(ordered) * 1000:.1f} ms")
            inside = sorted(in_server)
            print(f"  of which inside the server (Server-Timing): p50 {pct(0.5, inside):.1f} ms, "
                  f"p99 {pct(0.99, inside):.1f} ms")
            rate = sum(counts) / elapsed
            print(f"SSE live: {sum(counts)} events to {len(counts)} streams, {rate:.0f} events/s")
            mb = 2**20
            print(f"server RSS peak: API process {peak[0] / mb:.0f} MB, with workers {peak[1] / mb:.0f} MB")
            while (await client.get(job_url)).json()["status"] not in ("completed", "failed"):
                await asyncio.sleep(0.5)
            for job in (await client.get("/api/v1/jobs", params={"limit": 50})).json()["items"]:
                if job["status"] in ("queued", "running"):  # the load jobs: not needed any more
                    await client.delete(job["url"])
            replay: list[int] = []
            t0 = time.monotonic()
            await asyncio.gather(
                *(streamer(client, events_url, t0 + 60, replay) for _ in range(args.streams))
            )
            took = time.monotonic() - t0
            print(f"SSE replay of the finished job's log: {sum(replay)} events to {len(replay)} streams in "
                  f"{took:.2f} s, {sum(replay) / took:.0f} events/s")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        if args.bus:  # the bench's streams
            import redis

            client = redis.Redis.from_url(args.bus)
            keys = list(client.scan_iter(f"bench-{port}:*"))
            if keys:
                client.delete(*keys)
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--streams", type=int, default=10, help="how many of the clients read SSE")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--images", type=int, default=50, help="images per job (the service's limit is 50)")
    parser.add_argument("--types", default="color,layout,typography", help="token types of the jobs")
    parser.add_argument("--client", choices=("lean", "httpx"), default="lean",
                        help="status pollers on raw keep-alive HTTP/1.1 (lean) or httpx2")
    parser.add_argument("--load-jobs", type=int, default=2,
                        help="jobs queued behind the polled one, so both cores extract the whole time")
    parser.add_argument("--idle", action="store_true", help="let the job finish first (no extraction)")
    parser.add_argument("--bus", help="serve with --bus redis://... (SSE read from Redis Streams)")
    parser.add_argument("--think", type=float, default=0.05, help="seconds a poller waits between requests")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
