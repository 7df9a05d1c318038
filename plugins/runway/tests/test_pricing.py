"""Prices as data: credits per second at $0.01 a credit, and the credits a task reports.

Expected values are computed by hand from Runway's API reference
(https://github.com/runwayml/skills/blob/main/skills/rw-api-reference/SKILL.md, read 2026-12-02):
gen4.5 12 credits/s, gen4_turbo 5, veo3.1 20-40, veo3.1_fast 10-15 (the ends read as without and
with sound); aleph2 is not in the table.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from runway_helpers import load, reply

from reelkit import Client
from reelkit.models import Succeeded
from reelkit.testing import png_bytes
from reelkit_runway.responses import parse_task


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with Client(home=tmp_path / "home", env={"RUNWAYML_API_SECRET": "key_test"}) as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(png_bytes(64, 36))
    return str(path)


def cost(client: Any, **options: Any) -> Any:
    return client.plan("A lighthouse in a storm", provider="runway", **options).cost


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"model": "gen4.5", "duration": 5}, 5 * 0.12),
        ({"model": "gen4.5", "duration": 10}, 10 * 0.12),
        ({"model": "veo3.1", "duration": 8}, 8 * 0.20),
        ({"model": "veo3.1", "duration": 8, "audio": True}, 8 * 0.40),
        ({"model": "veo3.1_fast", "duration": 4}, 4 * 0.10),
        ({"model": "veo3.1_fast", "duration": 6, "audio": True}, 6 * 0.15),
    ],
)
def test_text_to_video_estimates(client: Any, options: dict[str, Any], expected: float) -> None:
    estimate = cost(client, **options)
    assert estimate.currency == "USD"
    assert estimate.estimated == pytest.approx(expected)
    assert estimate.source.startswith("https://github.com/runwayml/skills")


def test_gen4_turbo_image_to_video(client: Any, image: str) -> None:
    estimate = cost(client, model="gen4_turbo", first_frame=image, duration=10)
    assert estimate.estimated == pytest.approx(10 * 0.05)


def test_aleph2_is_unpriced_not_guessed(client: Any) -> None:
    estimate = cost(client, model="aleph2", video="https://example.com/in.mp4")
    assert estimate.estimated is None


def test_the_charge_is_the_credits_the_task_reports() -> None:
    status = parse_task(reply(200, load("poll_succeeded.json")), now=datetime.now(timezone.utc))
    assert isinstance(status, Succeeded) and status.charge is not None
    assert (status.charge.amount, status.charge.basis) == (0.6, "cost.credits")
