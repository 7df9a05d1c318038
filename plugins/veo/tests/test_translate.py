"""Request translation: golden bodies for every mode and model, and every refusal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from veo_helpers import FIXTURES, IMAGES, config, load, make_request, model

import reelkit_veo
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Media, SourceJob, VideoRequest

GOLDEN = sorted(p.stem for p in (FIXTURES / "golden").glob("*.json"))
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
URI = "https://generativelanguage.googleapis.com/v1beta/files/qu4d28uipuqh:download?alt=media"


def translate(model_id: str, request: VideoRequest, base_url: str | None = None) -> dict:
    args = {} if base_url is None else {"base_url": base_url}
    http = reelkit_veo.reelkit_translate(
        model=model(model_id), request=request, config=config(**args)
    )
    return {
        "method": http.method,
        "url": str(http.url),
        "headers": http.headers,
        "body": json.loads(http.content),
    }


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_body(name: str) -> None:
    case = load(f"golden/{name}.json")
    sent = translate(case["model"], make_request(case["request"]))
    assert sent["method"] == "POST"
    assert sent["url"] == case["url"]
    assert sent["headers"]["content-type"] == "application/json"
    assert sent["body"] == case["body"]


def test_every_mode_of_every_model_has_a_golden_body() -> None:
    covered = {
        (load(f"golden/{n}.json")["model"], load(f"golden/{n}.json")["request"]["mode"])
        for n in GOLDEN
    }
    declared = {(m.id, spec.mode.value) for m in reelkit_veo.MODELS for spec in m.modes}
    missing = declared - covered
    # Every model has text-to-video golden; each distinct mode shape is covered on some model.
    assert {mid for mid, mode in missing if mode == "t2v"} == set()
    assert {mode for _, mode in declared} <= {mode for _, mode in covered}


def test_never_sends_refused_parameters_or_inline_data() -> None:
    request = make_request(
        {
            "mode": "first_last",
            "prompt": "p",
            "duration": 8,
            "aspect_ratio": "16:9",
            "resolution": "720p",
            "first_frame": "png",
            "last_frame": "jpeg",
        }
    )
    request = VideoRequest(**{**_fields(request), "seed": 7, "fps": 30, "audio": False})
    raw = json.dumps(translate("veo-3.1-generate-preview", request)["body"])
    for refused in ("seed", "generateAudio", "fps", "inlineData", "numberOfVideos"):
        assert refused not in raw


def _fields(request: VideoRequest) -> dict:
    import attrs

    return attrs.asdict(request, recurse=False)


def test_base_url_override_and_v1beta_suffix() -> None:
    request = make_request(
        {"mode": "t2v", "prompt": "p", "duration": 8, "aspect_ratio": "16:9", "resolution": "720p"}
    )
    assert translate("veo-3.1-generate-preview", request, "http://127.0.0.1:8765/veo/")["url"] == (
        "http://127.0.0.1:8765/veo/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
    )
    assert translate("veo-3.1-generate-preview", request, "https://proxy.example/v1beta")[
        "url"
    ] == ("https://proxy.example/v1beta/models/veo-3.1-generate-preview:predictLongRunning")


def test_remote_image_url_is_a_clear_error() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.I2V,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        first_frame=Media(url="https://example.com/cat.png"),
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "first_frame"
    assert "not a URL" in str(err.value)


def test_unknown_image_type_is_a_clear_error() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.I2V,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        first_frame=Media(data=b"not an image"),
    )
    with pytest.raises(InvalidRequest, match="MIME type"):
        translate("veo-3.1-generate-preview", request)


def test_reference_mode_needs_a_prompt_and_no_frames() -> None:
    base = {
        "mode": "reference",
        "duration": 8,
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "reference_images": ["ref0"],
    }
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", make_request({**base, "prompt": "  "}))
    assert err.value.field == "prompt"
    with pytest.raises(InvalidRequest) as err:
        translate(
            "veo-3.1-generate-preview", make_request({**base, "prompt": "p", "first_frame": "png"})
        )
    assert err.value.field == "first_frame"


def test_too_many_reference_images() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.REFERENCE,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        reference_images=(IMAGES["ref0"],) * 4,
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "reference_images"
    assert err.value.allowed == "1–3"


@pytest.mark.parametrize(
    ("model_id", "mode"),
    [
        ("veo-3.1-lite-generate-preview", "reference"),
        ("veo-3.1-lite-generate-preview", "extend"),
        ("veo-3.0-generate-001", "first_last"),
        ("veo-2.0-generate-001", "reference"),
        ("veo-3.1-generate-preview", "remix"),
    ],
)
def test_modes_a_model_lacks_are_refused(model_id: str, mode: str) -> None:
    request = VideoRequest(
        prompt="p", mode=Mode(mode), duration=8, aspect_ratio="16:9", resolution="720p"
    )
    with pytest.raises(UnsupportedMode) as err:
        translate(model_id, request)
    assert err.value.field == "mode"


def test_text_to_video_needs_a_prompt() -> None:
    request = make_request(
        {"mode": "t2v", "prompt": "", "duration": 8, "aspect_ratio": "16:9", "resolution": "720p"}
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "prompt"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"seed": 3}, "params.seed"),
        ({"person_generation": "everyone"}, "params.person_generation"),
        ({"enhance_prompt": "maybe"}, "params.enhance_prompt"),
    ],
)
def test_bad_params_name_the_field_and_allowed_values(params: dict, field: str) -> None:
    request = VideoRequest(
        prompt="p", mode=Mode.T2V, duration=8, aspect_ratio="16:9", resolution="720p", params=params
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == field
    assert err.value.allowed


def test_namespaced_param_is_accepted() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.T2V,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        params={"veo.person_generation": "allow_all"},
    )
    assert (
        translate("veo-3.1-generate-preview", request)["body"]["parameters"]["personGeneration"]
        == "allow_all"
    )


# --- extension --------------------------------------------------------------------------


def _extend(**source: object) -> VideoRequest:
    values: dict = {
        "task_id": "models/veo-3.1-generate-preview/operations/abc",
        "job_id": "job-1",
        "provider": "veo",
        "video_url": URI,
        "expires_at": datetime.now(timezone.utc) + timedelta(hours=3),
    }
    values.update(source)
    return VideoRequest(
        prompt="more",
        mode=Mode.EXTEND,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        continue_from=SourceJob(**values),
    )


def test_expired_source_is_a_clear_error() -> None:
    request = _extend(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "continue_from"
    assert "expired" in str(err.value)
    assert "2 days" in str(err.value)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ({"provider": "sora"}, "only videos Veo generated"),
        ({"video_url": None}, "no video URI"),
        ({"resolution": "1080p"}, "only 720p"),
        ({"aspect_ratio": "1:1"}, "16:9 or 9:16"),
        ({"data": {"extensions": 20}}, "20 times"),
        ({"duration": 145.0}, "141"),
    ],
)
def test_extension_source_rules(source: dict, needle: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", _extend(**source))
    assert err.value.field == "continue_from"
    assert needle in str(err.value)


def test_extension_keeps_the_source_aspect_ratio_and_forces_720p() -> None:
    body = translate(
        "veo-3.1-generate-preview", _extend(aspect_ratio="9:16", data={"aspect_ratio": "9:16"})
    )["body"]
    assert body["parameters"]["aspectRatio"] == "9:16"
    assert body["parameters"]["resolution"] == "720p"
    assert body["instances"][0]["video"] == {"uri": URI, "encoding": "video/mp4"}


def test_extension_by_video_bytes_is_refused() -> None:
    request = VideoRequest(
        prompt="more",
        mode=Mode.EXTEND,
        duration=8,
        aspect_ratio="16:9",
        resolution="720p",
        video=Media(data=b"\x00\x00\x00\x18ftypmp42", mime_type="video/mp4"),
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "video"


def test_extension_without_a_source() -> None:
    request = VideoRequest(
        prompt="more", mode=Mode.EXTEND, duration=8, aspect_ratio="16:9", resolution="720p"
    )
    with pytest.raises(InvalidRequest) as err:
        translate("veo-3.1-generate-preview", request)
    assert err.value.field == "continue_from"


def test_extension_from_a_bare_file_uri() -> None:
    # `-p veo --continue-from <uri>`: the journal does not know it, so task_id is the URI itself.
    request = VideoRequest(
        prompt="more",
        mode=Mode.EXTEND,
        duration=8,
        aspect_ratio="9:16",
        resolution="720p",
        continue_from=SourceJob(task_id=URI),
    )
    body = translate("veo-3.1-generate-preview", request)["body"]
    assert body["instances"][0]["video"]["uri"] == URI
    assert body["parameters"]["aspectRatio"] == "9:16"
