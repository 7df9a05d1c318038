"""The local provider's hooks, called directly with fixtures: pure request building and parsing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit_local
from reelkit.capabilities import Audio, Mode, ModelInfo, ProviderInfo
from reelkit.errors import (
    InvalidRequest,
    ProviderError,
    ResponseFormatError,
    UnsupportedMode,
)
from reelkit.models import (
    Failed,
    JobHandle,
    Media,
    ProviderConfig,
    Queued,
    Running,
    SourceJob,
    Succeeded,
    VideoRequest,
)
from reelkit_local.capabilities import MODELS, PROVIDER, TITLE_CARD
from reelkit_local.hooks import state_dir

PNG = b"\x89PNG\r\n\x1a\n fake but never decoded by a hook"
RENDER_ID = "render_0f3c9a1e2b7d4c5e8f90a1b2c3d4e5f6"
JOB = JobHandle(provider="local", model="local-title-card", task_id=RENDER_ID)


def config(**options: Any) -> ProviderConfig:
    return ProviderConfig(
        name="local",
        base_url="local://render",
        poll_interval_s=0.2,
        timeout_s=120,
        options=options,
    )


def translate(request: VideoRequest, cfg: ProviderConfig | None = None) -> httpx.Request:
    return reelkit_local.reelkit_translate(
        provider="local", model=TITLE_CARD, request=request, config=cfg or config()
    )


def body_of(request: httpx.Request) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(request.content)
    return result


def response(
    status: int, body: Any, method: str = "GET", url: str = "local://render/v1/renders"
) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request(method, url))


# --- registration --------------------------------------------------------------------------


def test_registers_one_provider_with_its_models() -> None:
    seen: list[tuple[ProviderInfo, list[ModelInfo]]] = []
    reelkit_local.reelkit_register_providers(
        register=lambda provider, models: seen.append((provider, list(models)))
    )
    assert seen == [(PROVIDER, list(MODELS))]
    info = seen[0][0]
    assert (info.name, info.priority, info.credential_env) == ("local", 1000, ())
    assert info.base_url == "local://render"
    assert info.default_model in {m.id for m in MODELS}


def test_capabilities_are_honest() -> None:
    model = TITLE_CARD
    assert set(model.mode_names) == {"t2v", "i2v", "first_last"}
    for spec in model.modes:
        (variant,) = spec.variants
        assert set(variant.resolutions) == {"480p", "720p", "1080p"}
        assert set(variant.aspect_ratios) == {"16:9", "9:16", "1:1", "4:3", "3:4", "21:9"}
        assert variant.fps == (24, 25, 30)
        assert (variant.durations.lowest, variant.durations.nearest(99)) == (1, 30)
        for resolution in variant.resolutions:  # H.264 in yuv420p needs even sides
            for ratio in variant.aspect_ratios:
                w, h = (int(x) for x in variant.size_for(resolution, ratio).split("x"))
                assert w % 2 == 0 and h % 2 == 0
    assert model.fps_settable and model.supports_seed
    assert not model.supports_negative_prompt
    assert model.audio is Audio.NONE
    assert "url" not in model.images.transports
    assert set(model.images.formats) == {"jpeg", "png", "webp"}


# --- translate -----------------------------------------------------------------------------


def test_translate_t2v(load_fixture: Callable[[str], Any]) -> None:
    request = VideoRequest(
        prompt="A robot walking through a city",
        duration=5.0,
        resolution="720p",
        aspect_ratio="16:9",
        size="1280x720",
        fps=24,
        seed=7,
        mode=Mode.T2V,
    )
    sent = translate(request)
    assert (sent.method, str(sent.url)) == ("POST", "local://render/v1/renders")
    assert sent.headers["content-type"] == "application/json"
    assert body_of(sent) == {
        "model": "local-title-card",
        "mode": "t2v",
        "prompt": "A robot walking through a city",
        "duration": 5.0,
        "fps": 24,
        "width": 1280,
        "height": 720,
        "seed": 7,
    }


def test_translate_fills_defaults_and_omits_unset() -> None:
    body = body_of(translate(VideoRequest(prompt="x", mode=Mode.T2V)))
    assert (body["duration"], body["fps"], body["width"], body["height"]) == (5.0, 24, 1280, 720)
    assert "seed" not in body and "first_frame" not in body  # omitted, never null


def test_translate_portrait_from_resolution_and_ratio() -> None:
    body = body_of(
        translate(
            VideoRequest(prompt="x", resolution="1080p", aspect_ratio="9:16", fps=30, mode=Mode.T2V)
        )
    )
    assert (body["width"], body["height"], body["fps"]) == (1080, 1920, 30)


def test_translate_i2v_and_first_last_send_images_as_base64() -> None:
    first = Media(data=PNG, mime_type="image/png")
    last = Media(data=b"\xff\xd8jpeg", mime_type="image/jpeg")
    i2v = body_of(translate(VideoRequest(prompt="", first_frame=first, mode=Mode.I2V)))
    assert i2v["mode"] == "i2v"
    assert i2v["first_frame"] == {"data": base64.b64encode(PNG).decode(), "mime_type": "image/png"}
    both = body_of(
        translate(
            VideoRequest(prompt="p", first_frame=first, last_frame=last, mode=Mode.FIRST_LAST)
        )
    )
    assert both["mode"] == "first_last"
    assert base64.b64decode(both["last_frame"]["data"]) == b"\xff\xd8jpeg"


def test_translate_accepts_a_data_url() -> None:
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    body = body_of(translate(VideoRequest(prompt="", first_frame=Media(url=url), mode=Mode.I2V)))
    assert body["first_frame"]["mime_type"] == "image/png"
    assert base64.b64decode(body["first_frame"]["data"]) == PNG


@pytest.mark.parametrize("field", ["first_frame", "last_frame"])
def test_translate_refuses_a_url_naming_the_field(field: str) -> None:
    frames = {"first_frame": Media(data=PNG, mime_type="image/png")}
    frames[field] = Media(url="https://example.com/cat.png")
    mode = Mode.FIRST_LAST if "last_frame" in frames else Mode.I2V
    with pytest.raises(InvalidRequest) as caught:
        translate(VideoRequest(prompt="", mode=mode, **frames))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert "offline" in str(caught.value) and "no URLs" in str(caught.value)


def test_translate_refuses_params_and_foreign_modes() -> None:
    with pytest.raises(InvalidRequest, match="params") as caught:
        translate(VideoRequest(prompt="x", params={"quality": "high"}, mode=Mode.T2V))
    assert caught.value.field == "params"
    with pytest.raises(UnsupportedMode) as mode_error:
        translate(VideoRequest(prompt="x", mode=Mode.REMIX, remix_of=SourceJob(task_id="t")))
    assert mode_error.value.field == "mode"
    with pytest.raises(UnsupportedMode) as ref_error:
        translate(VideoRequest(prompt="x", reference_images=[Media(data=PNG)], mode=Mode.T2V))
    assert ref_error.value.field == "reference_images"


def test_translate_refuses_odd_sizes() -> None:
    with pytest.raises(InvalidRequest) as caught:
        translate(VideoRequest(prompt="x", size="853x480", mode=Mode.T2V))
    assert caught.value.field == "size"


def test_translate_honours_the_configured_base_url() -> None:
    sent = translate(
        VideoRequest(prompt="x", mode=Mode.T2V),
        ProviderConfig(
            name="local", base_url="local://other/prefix/", poll_interval_s=1, timeout_s=1
        ),
    )
    assert str(sent.url) == "local://other/prefix/v1/renders"


# --- submit --------------------------------------------------------------------------------


def test_parse_submit(load_fixture: Callable[[str], Any]) -> None:
    handle = reelkit_local.reelkit_parse_submit(
        provider="local",
        model=TITLE_CARD,
        request=VideoRequest(prompt="x", mode=Mode.T2V),
        response=response(201, load_fixture("submit_created.json"), "POST"),
    )
    assert handle == JobHandle(provider="local", model="local-title-card", task_id=RENDER_ID)
    json.dumps({"data": dict(handle.data)})  # serialisable for the journal


def test_parse_submit_400_is_an_invalid_request_naming_the_field(
    load_fixture: Callable[[str], Any],
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        reelkit_local.reelkit_parse_submit(
            provider="local",
            model=TITLE_CARD,
            request=VideoRequest(prompt="x", mode=Mode.I2V),
            response=response(400, load_fixture("submit_invalid.json"), "POST"),
        )
    assert caught.value.field == "first_frame"
    assert caught.value.allowed == "jpeg, png, webp"


def test_parse_submit_without_id_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError, match="'id'"):
        reelkit_local.reelkit_parse_submit(
            provider="local",
            model=TITLE_CARD,
            request=VideoRequest(prompt="x"),
            response=response(201, {"status": "queued"}, "POST"),
        )


# --- poll ----------------------------------------------------------------------------------


def test_poll_request() -> None:
    sent = reelkit_local.reelkit_poll_request(provider="local", job=JOB, config=config())
    assert (sent.method, str(sent.url)) == ("GET", f"local://render/v1/renders/{RENDER_ID}")


def parse_poll(status: int, body: Any) -> Any:
    return reelkit_local.reelkit_parse_poll(
        provider="local", job=JOB, response=response(status, body)
    )


def test_parse_poll_queued_and_running(load_fixture: Callable[[str], Any]) -> None:
    assert parse_poll(200, load_fixture("poll_queued.json")) == Queued()
    assert parse_poll(200, load_fixture("poll_running.json")) == Running(progress=0.4083)


def test_parse_poll_succeeded(load_fixture: Callable[[str], Any]) -> None:
    status = parse_poll(200, load_fixture("poll_succeeded.json"))
    assert isinstance(status, Succeeded)
    video = status.video
    assert video is not None
    assert video.url == f"local://render/v1/renders/{RENDER_ID}/content"
    assert video.mime_type == "video/mp4"
    assert video.expires_at is None
    assert dict(status.metadata) == {
        "duration": 5.0,
        "fps": 24,
        "frames": 120,
        "width": 1280,
        "height": 720,
        "seed": 7,
        "size": "1280x720",
    }


def test_parse_poll_succeeded_without_url_is_a_format_error(
    load_fixture: Callable[[str], Any],
) -> None:
    body = load_fixture("poll_succeeded.json")
    del body["content_url"]
    with pytest.raises(ResponseFormatError, match="content_url"):
        parse_poll(200, body)


def test_parse_poll_failed_and_cancelled(load_fixture: Callable[[str], Any]) -> None:
    failed = parse_poll(200, load_fixture("poll_failed.json"))
    assert isinstance(failed, Failed)
    assert failed.code == "render_failed" and "readable image" in failed.message
    assert not failed.filtered
    cancelled = parse_poll(200, load_fixture("poll_cancelled.json"))
    assert isinstance(cancelled, Failed) and cancelled.code == "cancelled"


def test_parse_poll_unknown_id_raises_a_typed_error(load_fixture: Callable[[str], Any]) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_poll(404, load_fixture("poll_not_found.json"))
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        404,
        "not_found",
        False,
    )
    assert "render_gone" in str(caught.value)


def test_parse_poll_corrupt_state_is_a_provider_error(load_fixture: Callable[[str], Any]) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_poll(500, load_fixture("state_corrupt.json"))
    assert caught.value.code == "corrupt_state"
    assert not caught.value.retryable


def test_parse_poll_unknown_status() -> None:
    with pytest.raises(ProviderError, match="unknown render status"):
        parse_poll(200, {"id": RENDER_ID, "status": "dreaming"})
    with pytest.raises(ResponseFormatError, match="status"):
        parse_poll(200, {"id": RENDER_ID})


# --- cancel, transport ---------------------------------------------------------------------


def test_cancel_request() -> None:
    sent = reelkit_local.reelkit_cancel_request(provider="local", job=JOB, config=config())
    assert (sent.method, str(sent.url)) == ("DELETE", f"local://render/v1/renders/{RENDER_ID}")


def test_transport_uses_the_configured_state_dir(tmp_path: Path) -> None:
    transport = reelkit_local.reelkit_transport(
        provider="local", config=config(state_dir=str(tmp_path))
    )
    assert isinstance(transport, httpx.BaseTransport)
    assert isinstance(transport, httpx.AsyncBaseTransport)
    assert transport.state_dir == tmp_path.resolve()


def test_state_dir_falls_back_to_reelkit_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REELKIT_HOME", str(tmp_path))
    assert state_dir(config()) == tmp_path / "local"
    monkeypatch.delenv("REELKIT_HOME")
    assert state_dir(config()).name == "local"


def test_translate_infers_the_mode_when_the_core_did_not_set_it() -> None:
    first = Media(data=PNG, mime_type="image/png")
    assert body_of(translate(VideoRequest(prompt="x")))["mode"] == "t2v"
    assert body_of(translate(VideoRequest(prompt="", first_frame=first)))["mode"] == "i2v"
    both = VideoRequest(prompt="", first_frame=first, last_frame=first)
    assert body_of(translate(both))["mode"] == "first_last"
