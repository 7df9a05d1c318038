"""Jimeng prices: no official Volcengine page states them, so every estimate is unknown.

The per-second figures in docs/reference/volcengine-kling.md §1.6 are third-party and must not
turn into an estimate; moderation verdicts stay unbilled (billing only when a video returns).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit
import reelkit_jimeng
from reelkit.models import Failed, JobHandle, Plan, Succeeded, VideoRequest
from reelkit.pricing import PRIMARY_UNITS, estimate
from reelkit_jimeng.capabilities import AUTO, MODELS, PRO, T2V_720P

from .conftest import FIXTURES

FRAME = "https://example.com/frame.png"
URL = "https://visual.volcengineapi.com/?Action=CVSync2AsyncGetResult&Version=2022-08-31"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    env = {"VOLC_ACCESSKEY": "AKLTtest", "VOLC_SECRETKEY": "secret"}
    with reelkit.Client(home=tmp_path / "home", env=env) as c:
        yield c


@pytest.mark.parametrize(
    ("model", "options"),
    [
        (AUTO, {"resolution": "720p"}),
        (AUTO, {"resolution": "1080p", "duration": 10}),
        (AUTO, {"resolution": "720p", "first_frame": FRAME}),
        (AUTO, {"resolution": "1080p", "first_frame": FRAME, "last_frame": FRAME}),
        (PRO, {}),
        (PRO, {"first_frame": FRAME}),
        (T2V_720P, {"duration": 10}),
    ],
)
def test_estimates_are_unknown(client: Any, model: Any, options: dict[str, Any]) -> None:
    cost = client.plan("a cat", provider="jimeng", model=model.id, **options).cost
    assert cost.estimated is None
    assert cost.currency == "CNY"
    assert "no published price" in cost.basis
    assert cost.source == "https://www.volcengine.com/docs/85621/1777001"


def test_every_variant_matches_a_primary_rate() -> None:
    for model in MODELS:
        assert model.price is not None, model.id
        template = (None, "hitchcock_dolly_in") if model.params else (None,)
        for spec in model.modes:
            for variant in spec.variants:
                for resolution, seconds, template_id in itertools.product(
                    variant.resolutions, (5, 10), template
                ):
                    params = {} if template_id is None else {"template_id": template_id}
                    plan = Plan(
                        provider="jimeng",
                        model=model.id,
                        mode=spec.mode,
                        request=VideoRequest(
                            prompt="x",
                            duration=seconds,
                            resolution=resolution,
                            fps=24,
                            params=params,
                            mode=spec.mode,
                        ),
                        adjustments=(),
                    )
                    rates = [r for r in model.price.rates if r.unit in PRIMARY_UNITS]
                    assert any(r.matches(plan) for r in rates), (model.id, plan.request)
                    assert estimate(model.price, plan).estimated is None


def poll(body: Any, status: int = 200) -> Any:
    job = JobHandle(
        provider="jimeng", model=T2V_720P.id, task_id="7392616336519610409", data={"req_key": "x"}
    )
    response = httpx.Response(status, json=body, request=httpx.Request("POST", URL))
    return reelkit_jimeng.reelkit_parse_poll(provider="jimeng", job=job, response=response)


def test_a_returned_video_reports_no_charge() -> None:
    # The poll answer carries no billing field, so nothing is reported.
    done = json.loads((FIXTURES / "poll_statuses.json").read_text(encoding="utf-8"))["done"]
    status = poll(done["body"], done["status_code"])
    assert isinstance(status, Succeeded)
    assert status.charge is None


def test_an_output_verdict_is_not_billed() -> None:
    body = {"code": 50516, "data": None, "message": "Post Video Risk Not Pass", "status": 50516}
    status = poll(body, 400)
    assert isinstance(status, Failed)
    assert status.filtered and status.billed is False
