"""Prometheus metrics of one service process, on its own registry (so tests can run many apps)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from designlens.events import Event

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.jobs = Counter("designlens_jobs_finished", "Jobs by final status", ["status"], registry=r)
        self.jobs_created = Counter("designlens_jobs_accepted", "Jobs accepted", registry=r)
        self.instances = Counter(
            "designlens_instances", "Finished instances by state (run, cached, resumed, failed)", ["state"],
            registry=r,
        )
        self.running = Gauge("designlens_instances_running", "Instances on a worker now", registry=r)
        self.latency = Histogram(
            "designlens_extraction_seconds", "Seconds one instance took on a worker",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120), registry=r,
        )
        self.restarts = Counter("designlens_worker_restarts", "Worker processes restarted", registry=r)
        self.queue_depth = Gauge("designlens_queue_depth", "Jobs waiting for a runner", registry=r)
        self.jobs_running = Gauge("designlens_jobs_running", "Jobs extracting now", registry=r)
        self.sse_reads = Gauge(
            "designlens_sse_reads", "Reads of job events by SSE feeds, by source (store, bus)", ["source"],
            registry=r,
        )

    def on_event(self, event: Event) -> None:
        """Bus subscriber: instance progress becomes counters and the latency histogram."""
        data: Mapping[str, Any] = event.data
        if event.name == "instance.started":
            self.running.inc()
        elif event.name == "instance.completed":
            state = "cached" if data.get("cached") else "resumed" if data.get("resumed") else "run"
            self.instances.labels(state).inc()
            if state == "run":
                self.running.dec()
                self.latency.observe(float(data.get("seconds") or 0.0))
        elif event.name == "instance.failed":
            self.instances.labels("failed").inc()
            if "instance" in data:
                self.running.dec()

    def job_finished(self, status: str, stats: Mapping[str, Any] | None = None) -> None:
        self.jobs.labels(status).inc()
        for pool in (stats or {}).get("pools", {}).values():
            self.restarts.inc(int(pool.get("restarts", 0)))

    def render(self) -> bytes:
        return generate_latest(self.registry)
