"""What Veo's capability data does to requests: the clamping outcomes, the coupled rules and
the body that would be sent, derived through reelkit's planning rather than restated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reelkit import Client, InvalidRequest, Plan, UnsupportedMode
from reelkit.testing import png_bytes
from reelkit_veo import MODELS, PROVIDER

VEO31 = ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview")
VEO3 = (
    *VEO31,
    "veo-3.1-lite-generate-preview",
    "veo-3.0-generate-001",
    "veo-3.0-fast-generate-001",
)
REFS = [png_bytes(64 + 2 * i, 36) for i in range(3)]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    with Client(env={"REELKIT_HOME": str(tmp_path), "REELKIT_LOAD_PLUGINS": "veo"}) as client:
        yield client


def plan(client: Client, model: str, **kwargs: Any) -> Plan:
    return client.plan("A robot walking through a city", provider="veo", model=model, **kwargs)


def changed(plan: Plan) -> dict[str, tuple[Any, Any]]:
    return {a.field: (a.requested, a.applied) for a in plan.adjustments}


def parameters(plan: Plan) -> dict[str, Any]:
    body = plan.http.body
    assert isinstance(body, dict)
    params: dict[str, Any] = body["parameters"]
    return params


@pytest.mark.parametrize("model", VEO31)
@pytest.mark.parametrize("resolution", ["1080p", "4k"])
def test_high_resolutions_are_kept_and_take_eight_seconds(
    client: Client, model: str, resolution: str
) -> None:
    made = plan(client, model, resolution=resolution, duration=4)
    assert (made.request.resolution, made.request.duration) == (resolution, 8)
    assert changed(made) == {"duration": (4, 8)}
    assert "1080p and 4k require 8 s" in made.adjustments[0].reason
    assert (parameters(made)["resolution"], parameters(made)["durationSeconds"]) == (resolution, 8)
    with pytest.raises(InvalidRequest) as info:
        plan(client, model, resolution=resolution, duration=4, strict=True)
    assert (info.value.field, info.value.allowed) == ("duration", "8 s")


@pytest.mark.parametrize("model", VEO3)
@pytest.mark.parametrize(("asked", "sent"), [(3, 4), (5, 6), (7, 8), (12, 8), (6, 6)])
def test_720p_durations_snap_to_four_six_or_eight(
    client: Client, model: str, asked: float, sent: int
) -> None:
    made = plan(client, model, resolution="720p", duration=asked)
    assert parameters(made)["durationSeconds"] == sent  # 5 and 7 never reach the API
    assert changed(made) == ({} if asked == sent else {"duration": (asked, sent)})


def test_veo2_takes_five_six_or_eight_seconds(client: Client) -> None:
    assert parameters(plan(client, "veo-2.0-generate-001", duration=4))["durationSeconds"] == 5
    assert parameters(plan(client, "veo-2.0-generate-001", duration=7))["durationSeconds"] == 8


@pytest.mark.parametrize("model", ["veo-3.0-generate-001", "veo-3.0-fast-generate-001"])
def test_veo3_keeps_1080p_and_turns_portrait_to_landscape(client: Client, model: str) -> None:
    made = plan(client, model, resolution="1080p", aspect_ratio="9:16", duration=8)
    assert (made.request.resolution, made.request.aspect_ratio) == ("1080p", "16:9")
    assert changed(made) == {"aspect_ratio": ("9:16", "16:9")}
    # At 720p, portrait is offered and kept.
    assert changed(plan(client, model, aspect_ratio="9:16", duration=8)) == {}


def test_lite_has_no_4k_no_references_and_no_extension(client: Client) -> None:
    lite = "veo-3.1-lite-generate-preview"
    made = plan(client, lite, resolution="4k", duration=8)
    assert changed(made) == {"resolution": ("4k", "1080p")}
    with pytest.raises(UnsupportedMode):
        plan(client, lite, reference_images=REFS[:1])
    with pytest.raises(UnsupportedMode):
        plan(client, lite, continue_from="operations/abc")


@pytest.mark.parametrize("model", VEO31)
def test_references_are_at_most_three_and_take_eight_seconds(client: Client, model: str) -> None:
    made = plan(client, model, reference_images=[*REFS, REFS[0]], duration=4)
    assert made.mode.value == "reference"
    assert changed(made) == {"reference_images": (4, 3), "duration": (4, 8)}
    body = made.http.body
    assert isinstance(body, dict)
    assert len(body["instances"][0]["referenceImages"]) == 3
    assert parameters(made)["durationSeconds"] == 8


@pytest.mark.parametrize("model", VEO3)
def test_what_the_gemini_api_refuses_is_dropped_not_sent(client: Client, model: str) -> None:
    made = plan(client, model, seed=7, fps=30, audio=False, duration=8)
    assert changed(made) == {"seed": (7, None), "fps": (30, 24), "audio": (False, True)}
    assert not {"seed", "fps", "generateAudio"} & set(parameters(made))


def test_veo2_is_silent(client: Client) -> None:
    made = plan(client, "veo-2.0-generate-001", audio=True, duration=8)
    assert changed(made) == {"audio": (True, False)}


def test_2160p_is_4k_and_needs_no_adjustment(client: Client) -> None:
    made = plan(client, VEO31[0], resolution="2160p", duration=8)
    assert made.request.resolution == "4k" and changed(made) == {}


def test_the_default_request_needs_no_adjustment(client: Client) -> None:
    for model in MODELS:
        made = plan(client, model.id)
        assert changed(made) == {}, model.id
        assert (made.request.resolution, made.request.aspect_ratio) == ("720p", "16:9")
    names = [n for m in MODELS for n in m.names()]
    assert len(names) == len(set(names)), "model names and aliases are unique"
    assert PROVIDER.default_model in {m.id for m in MODELS}


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, reelkit_veo; print(','.join(m for m in ('httpx', 'google', 'av') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
