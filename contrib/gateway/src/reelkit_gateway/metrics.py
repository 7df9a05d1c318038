"""Prometheus metrics (``GET /metrics``), in a registry of the gateway's own.

Counted by this process: requests, submit and poll latencies, jobs submitted and their
estimated spend. Read from the journal at each scrape (so every replica reports the same
totals): jobs by state and provider, and estimated and billed spend by provider.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from reelkit import spending
from reelkit.journal import CostRow

LATENCY = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self, costs: Callable[[], list[CostRow]], currency: str = "USD") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "reelkit_gateway_requests",
            "HTTP requests answered, by route and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.submit_seconds = Histogram(
            "reelkit_gateway_submit_seconds",
            "Time to answer POST /v1/videos (plan, journal, provider submit).",
            ("provider",),
            buckets=LATENCY,
            registry=self.registry,
        )
        self.poll_seconds = Histogram(
            "reelkit_gateway_poll_seconds",
            "Time to answer GET /v1/videos/{id}.",
            buckets=LATENCY,
            registry=self.registry,
        )
        self.submitted = Counter(
            "reelkit_gateway_jobs_submitted",
            "Jobs this process started, by provider.",
            ("provider",),
            registry=self.registry,
        )
        self.registry.register(_JournalCollector(costs, currency))


class _JournalCollector(Collector):
    def __init__(self, costs: Callable[[], list[CostRow]], currency: str) -> None:
        self._costs = costs
        self._currency = currency

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rows = self._costs()
        jobs = GaugeMetricFamily(
            "reelkit_jobs",
            "Jobs in the journal, by state and provider.",
            labels=("state", "provider"),
        )
        for (state, provider), n in sorted(
            Tally((r.state.value, r.provider) for r in rows).items()
        ):
            jobs.add_metric((state, provider), n)
        yield jobs
        report = spending.summarise(rows, by="provider", currency=self._currency)
        estimated = GaugeMetricFamily(
            "reelkit_spend_estimated",
            f"Estimated spend of the journal's jobs ({self._currency}), by provider.",
            labels=("provider", "currency"),
        )
        billed = GaugeMetricFamily(
            "reelkit_spend_billed",
            f"Spend the providers reported billing ({self._currency}), by provider.",
            labels=("provider", "currency"),
        )
        for provider, bucket in (report.get("by") or {}).items():
            estimated.add_metric((provider, self._currency), float(bucket["estimated"]))
            billed.add_metric((provider, self._currency), float(bucket["billed"]))
        yield estimated
        yield billed

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())
