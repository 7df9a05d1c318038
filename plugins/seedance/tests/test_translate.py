"""reelkit_translate for every Seedance model and mode, against hand-written golden bodies."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import reelkit_seedance
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, Media, ProviderConfig, VideoRequest
from reelkit_seedance.capabilities import MODELS

from .conftest import fixture, make_png, provider_config

PNG = make_png(640, 480)
FIRST = Media(url="https://example.com/first.png")
LAST = Media(url="https://example.com/last.png")
REFS = tuple(Media(url=f"https://example.com/ref-{i}.png") for i in (1, 2, 3))
PRO, PRO_FAST, LITE_T2V, LITE_I2V, PRO_15, V2, V2_FAST = (m.id for m in MODELS)
_BY_NAME = {name: m for m in MODELS for name in m.names()}


def model(name: str) -> ModelInfo:
    return _BY_NAME[name]


def req(mode: Mode, **values: Any) -> VideoRequest:
    """A request as the core hands it over: clamped, mode set."""
    values.setdefault("prompt", "a cat on a skateboard")
    values.setdefault("duration", 5.0)
    values.setdefault("fps", 24)
    return VideoRequest(mode=mode, **values)


CASES: dict[str, tuple[str, VideoRequest]] = {
    "pro_t2v": (PRO, req(Mode.T2V, resolution="1080p", aspect_ratio="16:9")),
    "pro_i2v_url": (
        PRO,
        req(
            Mode.I2V,
            prompt="the cat jumps",
            resolution="720p",
            aspect_ratio="adaptive",
            duration=10.0,
            seed=42,
            first_frame=FIRST,
            params={"camera_fixed": "true", "watermark": False},
        ),
    ),
    "pro_first_last_base64": (
        "seedance-1.0-pro",
        req(
            Mode.FIRST_LAST,
            prompt="day to night",
            resolution="1080p",
            aspect_ratio="adaptive",
            first_frame=Media(data=PNG),
            last_frame=Media(data=PNG, mime_type="image/png"),
        ),
    ),
    "pro_fast_t2v_options": (
        PRO_FAST,
        req(
            Mode.T2V,
            resolution="1080p",
            aspect_ratio="9:16",
            params={
                "callback_url": "https://hooks.example.com/ark",
                "return_last_frame": "yes",
                "service_tier": "flex",
                "execution_expires_after": "3600",
            },
        ),
    ),
    "pro_fast_i2v": (
        PRO_FAST,
        req(
            Mode.I2V,
            prompt="the cat jumps",
            resolution="1080p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
        ),
    ),
    "lite_t2v": (LITE_T2V, req(Mode.T2V, resolution="480p", aspect_ratio="21:9", duration=12.0)),
    "lite_i2v_i2v": (
        LITE_I2V,
        req(
            Mode.I2V,
            prompt="the cat jumps",
            resolution="720p",
            aspect_ratio="adaptive",
            duration=2.0,
            first_frame=FIRST,
        ),
    ),
    "lite_i2v_first_last": (
        LITE_I2V,
        req(
            Mode.FIRST_LAST,
            prompt="day to night",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
            last_frame=LAST,
        ),
    ),
    "lite_i2v_reference": (
        LITE_I2V,
        req(
            Mode.REFERENCE,
            prompt="the two friends dance",
            resolution="720p",
            aspect_ratio="16:9",
            reference_images=REFS,
        ),
    ),
    "pro_15_t2v_audio": (
        PRO_15,
        req(
            Mode.T2V,
            prompt="a cat sings",
            resolution="720p",
            aspect_ratio="adaptive",
            duration=8.0,
            seed=7,
            audio=True,
        ),
    ),
    "pro_15_i2v_silent": (
        PRO_15,
        req(
            Mode.I2V,
            prompt="the cat jumps",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
            audio=False,
        ),
    ),
    "pro_15_first_last": (
        PRO_15,
        req(
            Mode.FIRST_LAST,
            prompt="day to night",
            resolution="1080p",
            aspect_ratio="adaptive",
            duration=12.0,
            first_frame=FIRST,
            last_frame=LAST,
        ),
    ),
    "pro_15_draft": (
        PRO_15,
        req(
            Mode.T2V,
            prompt="a cat sings",
            resolution="480p",
            aspect_ratio="adaptive",
            duration=4.0,
            params={"draft": True},
        ),
    ),
    "v2_t2v": (
        V2,
        req(Mode.T2V, resolution="1080p", aspect_ratio="16:9", duration=15.0, audio=True),
    ),
    "v2_i2v": (
        V2,
        req(
            Mode.I2V,
            prompt="the cat jumps",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
        ),
    ),
    "v2_first_last": (
        V2,
        req(
            Mode.FIRST_LAST,
            prompt="day to night",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
            last_frame=LAST,
        ),
    ),
    "v2_reference": (
        "seedance-2.0",
        req(
            Mode.REFERENCE,
            prompt="the two friends dance",
            resolution="480p",
            aspect_ratio="1:1",
            duration=4.0,
            reference_images=(REFS[0], Media(data=PNG)),
            params={"watermark": "true"},
        ),
    ),
    "v2_fast_t2v": (V2_FAST, req(Mode.T2V, resolution="720p", aspect_ratio="4:3", duration=6.0)),
    "v2_fast_i2v": (
        V2_FAST,
        req(Mode.I2V, prompt="", resolution="720p", aspect_ratio="adaptive", first_frame=FIRST),
    ),
    "v2_fast_first_last": (
        V2_FAST,
        req(
            Mode.FIRST_LAST,
            prompt="day to night",
            resolution="480p",
            aspect_ratio="adaptive",
            first_frame=FIRST,
            last_frame=LAST,
        ),
    ),
    "v2_fast_reference": (
        V2_FAST,
        req(
            Mode.REFERENCE,
            prompt="the two friends dance",
            resolution="720p",
            aspect_ratio="adaptive",
            reference_images=REFS[:1],
        ),
    ),
}


def translate(name: str, request: VideoRequest, config: ProviderConfig) -> Any:
    return reelkit_seedance.reelkit_translate(
        provider="seedance", model=model(name), request=request, config=config
    )


def _expected(case: str) -> Any:
    text = json.dumps(fixture("golden_create_bodies.json")[case])
    return json.loads(text.replace("$PNG", base64.b64encode(PNG).decode()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_translate_matches_golden_body(case: str, config: ProviderConfig) -> None:
    name, request = CASES[case]
    sent = translate(name, request, config)
    assert sent.method == "POST"
    assert str(sent.url) == "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks"
    assert sent.headers["content-type"] == "application/json"
    assert b"null" not in sent.content  # unset fields are omitted, never null
    assert b"--" not in sent.content  # no legacy text flags
    assert json.loads(sent.content) == _expected(case)


def test_every_model_and_mode_has_a_golden_case() -> None:
    covered = {(model(name).id, request.mode) for name, request in CASES.values()}
    declared = {(m.id, spec.mode) for m in MODELS for spec in m.modes}
    assert declared == covered


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (
            "https://ark.cn-beijing.volces.com",
            "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks",
        ),
        (
            "https://ark.cn-beijing.volces.com/api/v3/",
            "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks",
        ),
        (
            "http://127.0.0.1:8765/seedance",
            "http://127.0.0.1:8765/seedance/api/v3/contents/generations/tasks",
        ),
    ],
)
def test_base_url_forms(base_url: str, expected: str) -> None:
    sent = translate(
        PRO, req(Mode.T2V, resolution="1080p", aspect_ratio="16:9"), provider_config(base_url)
    )
    assert str(sent.url) == expected


@pytest.mark.parametrize(
    ("name", "wire_id"),
    [
        (PRO, "seedance-1-0-pro-250528"),
        (LITE_T2V, "seedance-1-0-lite-t2v-250428"),
        (PRO_15, "seedance-1-5-pro-251215"),
        (V2, "dreamina-seedance-2-0-260128"),
        (V2_FAST, "dreamina-seedance-2-0-fast-260128"),
    ],
)
def test_byteplus_base_url_sends_byteplus_model_ids(name: str, wire_id: str) -> None:
    config = provider_config("https://ark.ap-southeast.bytepluses.com/api/v3")
    sent = translate(name, req(Mode.T2V, resolution="720p", aspect_ratio="16:9"), config)
    assert json.loads(sent.content)["model"] == wire_id
    assert str(sent.url).startswith("https://ark.ap-southeast.bytepluses.com/api/v3/contents/")
    assert wire_id in model(wire_id).names()  # the BytePlus id is also accepted as -m


def test_endpoint_id_replaces_the_model(config: ProviderConfig) -> None:
    sent = translate(
        PRO,
        req(
            Mode.T2V,
            resolution="1080p",
            aspect_ratio="16:9",
            params={"endpoint_id": "ep-20250101-abcde"},
        ),
        config,
    )
    assert json.loads(sent.content)["model"] == "ep-20250101-abcde"


def test_get_and_delete_requests(config: ProviderConfig) -> None:
    job = JobHandle(provider="seedance", model=PRO, task_id="cgt-20250331175019-68d9t")
    get = reelkit_seedance.reelkit_poll_request(provider="seedance", job=job, config=config)
    assert (get.method, str(get.url)) == (
        "GET",
        "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks/cgt-20250331175019-68d9t",
    )
    assert get.content == b""
    delete = reelkit_seedance.reelkit_cancel_request(provider="seedance", job=job, config=config)
    assert (delete.method, str(delete.url)) == ("DELETE", str(get.url))


# --- bad inputs: typed errors naming the field and what is allowed ---------------------------


def _error(name: str, request: VideoRequest, config: ProviderConfig) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        translate(name, request, config)
    return info.value


@pytest.mark.parametrize(
    ("name", "params", "field", "allowed"),
    [
        (PRO, {"watermark": "maybe"}, "params.watermark", "true, false"),
        (PRO, {"return_last_frame": 2}, "params.return_last_frame", "true, false"),
        (PRO, {"callback_url": "ftp://x"}, "params.callback_url", "http(s) URL"),
        (PRO, {"service_tier": "cheap"}, "params.service_tier", "default, flex"),
        (
            PRO,
            {"execution_expires_after": 60},
            "params.execution_expires_after",
            "an integer from 3600 to 259200",
        ),
        (PRO, {"endpoint_id": "my-endpoint"}, "params.endpoint_id", "ep-..."),
        (
            PRO,
            {"generate_audio": True},
            "params.generate_audio",
            "--audio/--no-audio (audio=True/False)",
        ),
        (PRO, {"ratio": "16:9"}, "params.ratio", "--aspect-ratio"),
        (PRO, {"draft": True}, "params.draft", None),
        (V2, {"camera_fixed": True}, "params.camera_fixed", None),
        (PRO, {"style": "anime"}, "params.style", None),
    ],
)
def test_bad_params_are_named(
    name: str, params: dict[str, Any], field: str, allowed: str | None, config: ProviderConfig
) -> None:
    err = _error(name, req(Mode.T2V, resolution="720p", aspect_ratio="16:9", params=params), config)
    assert err.field == field
    assert err.allowed
    if allowed is not None:
        assert err.allowed == allowed
    else:
        assert "callback_url" in str(err.allowed)  # lists what the model does take


def test_camera_fixed_is_refused_in_reference_mode(config: ProviderConfig) -> None:
    err = _error(
        LITE_I2V,
        req(
            Mode.REFERENCE,
            resolution="720p",
            aspect_ratio="16:9",
            reference_images=REFS[:1],
            params={"camera_fixed": True},
        ),
        config,
    )
    assert err.field == "params.camera_fixed"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"resolution": "720p", "params": {"draft": True}}, "resolution"),
        (
            {"resolution": "480p", "params": {"draft": True, "return_last_frame": True}},
            "params.return_last_frame",
        ),
        (
            {"resolution": "480p", "params": {"draft": True, "service_tier": "flex"}},
            "params.service_tier",
        ),
        ({"resolution": "720p", "seed": 2**32}, "seed"),
        ({"resolution": "720p", "duration": 4.5}, "duration"),
        ({"resolution": "720p", "prompt": " "}, "prompt"),
    ],
)
def test_bad_combinations(values: dict[str, Any], field: str, config: ProviderConfig) -> None:
    values.setdefault("duration", 5.0)
    err = _error(PRO_15, req(Mode.T2V, aspect_ratio="adaptive", **values), config)
    assert err.field == field


@pytest.mark.parametrize(
    ("media", "message"),
    [
        (Media(data=make_png(300, 600)), "300x600"),  # short side must be over 300 px
        (Media(data=make_png(1000, 380)), "width:height of 2.63"),
        (Media(url="https://example.com/a.png", width=6000, height=3000), "6000x3000"),
        (Media(data=b"not an image at all"), "format unknown"),
        (Media(url="s3://bucket/a.png"), "http(s) URL"),
    ],
)
def test_images_are_checked_before_sending(
    media: Media, message: str, config: ProviderConfig
) -> None:
    err = _error(
        PRO, req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=media), config
    )
    assert err.field == "first_frame"
    assert message in str(err)
    assert err.allowed


def test_bmp_and_heic_formats(config: ProviderConfig) -> None:
    bmp = b"BM" + b"\x00" * 64
    sent = translate(
        PRO,
        req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=Media(data=bmp)),
        config,
    )
    assert json.loads(sent.content)["content"][1]["image_url"]["url"].startswith(
        "data:image/bmp;base64,"
    )
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32
    err = _error(
        PRO,
        req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=Media(data=heic)),
        config,
    )
    assert "heic" in str(err)  # 1.0 does not take HEIC...
    sent = translate(
        PRO_15,
        req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=Media(data=heic)),
        config,
    )
    assert "data:image/heic;base64," in sent.content.decode()  # ...1.5 pro does


def test_data_urls_are_decoded_and_checked(config: ProviderConfig) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    sent = translate(
        PRO,
        req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=Media(url=data_url)),
        config,
    )
    assert json.loads(sent.content)["content"][1]["image_url"]["url"] == data_url
    tiny = "data:image/png;base64," + base64.b64encode(make_png(100, 100)).decode()
    err = _error(
        PRO,
        req(Mode.I2V, resolution="720p", aspect_ratio="adaptive", first_frame=Media(url=tiny)),
        config,
    )
    assert err.field == "first_frame" and "100x100" in str(err)
