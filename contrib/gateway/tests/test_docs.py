"""docs/gateway.md names every flag of ``reelkit serve``, every route and every metric."""

from __future__ import annotations

from pathlib import Path

from reelkit_gateway.cli import command
from reelkit_gateway.metrics import Metrics
from reelkit_gateway.requests import EXTRA

PAGE = Path(__file__).resolve().parents[3] / "docs" / "gateway.md"


def test_every_flag_route_option_and_metric_is_documented() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for param in command().params:
        for flag in param.opts:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}`" in page, flag
    for route in ("POST /v1/videos", "GET /v1/videos/{id}", "GET /v1/videos/{id}/content",
                  "GET /v1/videos", "DELETE /v1/videos/{id}", "POST /v1/videos/{id}/remix",
                  "GET /healthz", "GET /metrics"):  # fmt: skip
        assert f"`{route}`" in page, route
    for option in EXTRA:
        assert f"`{option}`" in page, option
    metrics = Metrics(list)
    names = {m.name for m in metrics.registry.collect()}
    assert names
    for name in names:
        assert f"`{name}" in page, name
