"""Raw arguments are type-checked before anything is built or paid for: ``reelkit.validation``."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from reelkit import validation
from reelkit.capabilities import Choices, Mode, ModelInfo, ModeSpec, Param, Variant
from reelkit.clamping import clamp
from reelkit.errors import InvalidRequest
from reelkit.models import Media, VideoRequest
from reelkit.validation import (
    FIELD_KINDS,
    check_ask,
    check_ask_types,
    check_param,
    check_params,
    check_text,
)


def refused(values: dict[str, Any], field: str | None = None) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        check_ask_types(values)
    error = caught.value
    assert error.field == (field or next(iter(values)))
    assert error.allowed, "every refusal says what is allowed"
    return error


def test_a_plain_request_passes_and_is_normalised(tmp_path: Path) -> None:
    values: dict[str, Any] = {
        "prompt": "a cat on a skateboard",
        "provider": "local",
        "model": "local-1",
        "duration": 5,
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "size": "1280x720",
        "fps": 24,
        "seed": 7,
        "negative_prompt": "",
        "audio": False,
        "first_frame": tmp_path / "a.png",
        "last_frame": b"\x89PNG",
        "reference_images": ["https://example.com/a.png", Media(url="https://x.test/b.png")],
        "video": None,
        "continue_from": "job_123",
        "remix_of": None,
        "params": {"camera": "pan"},
        "output": tmp_path,
        "strict": True,
        "timeout": 30,
        "force": False,
    }
    checked = check_ask_types(values)
    assert set(checked) == set(values)
    assert checked["duration"] == 5.0 and isinstance(checked["duration"], float)
    assert checked["timeout"] == 30.0 and isinstance(checked["timeout"], float)
    assert checked["reference_images"] == tuple(values["reference_images"])
    assert checked["params"] == {"camera": "pan"} and checked["params"] is not values["params"]
    assert checked["video"] is None and checked["remix_of"] is None
    assert check_ask_types({"prompt": "x", "reference_images": None, "params": None}) == {
        "prompt": "x",
        "reference_images": (),
        "params": {},
    }
    assert check_ask_types({"prompt": "x", "duration": Fraction(5, 2)})["duration"] == 2.5


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("duration", "abc", "not a number of seconds"),
        ("duration", "5", "not a number of seconds"),
        ("duration", True, "not a number of seconds"),
        ("duration", -1, "not a positive number"),
        ("duration", 0, "not a positive number"),
        ("duration", math.nan, "not a positive number"),
        ("duration", math.inf, "not a positive number"),
        ("seed", "7", "not an integer"),
        ("seed", 1.5, "not an integer"),
        ("seed", 7.0, "not an integer"),
        ("seed", True, "not an integer"),
        ("seed", -1, "out of range"),
        ("seed", 2**32, "out of range"),
        ("fps", 24.5, "not a whole number"),
        ("fps", "24", "not a whole number"),
        ("fps", False, "not a whole number"),
        ("fps", 0, "not above 0"),
        ("audio", "yes", "not true or false"),
        ("audio", 1, "not true or false"),
        ("strict", "no", "not true or false"),
        ("force", 0, "not true or false"),
        ("aspect_ratio", 16, "must be text"),
        ("resolution", 720, "must be text"),
        ("size", (1280, 720), "must be text"),
        ("model", "", "is empty"),
        ("provider", "   ", "is empty"),
        ("continue_from", 123, "must be text"),
        ("remix_of", b"job", "must be text"),
        ("negative_prompt", 5, "must be text"),
        ("negative_prompt", "no\x00nul", "NUL"),
        ("first_frame", 12, "not an image or video"),
        ("first_frame", 1.5, "not an image or video"),
        ("last_frame", "", "is empty"),
        ("video", b"", "empty (0 bytes)"),
        ("video", ["a.mp4"], "not an image or video"),
        ("params", ["a", "b"], "not a mapping"),
        ("params", "k=v", "not a mapping"),
        ("params", {1: "x"}, "not a name"),
        ("params", {"": "x"}, "not a name"),
        ("output", 5, "not a path"),
        ("output", "", "is empty"),
        ("timeout", -1, "not a positive number"),
        ("timeout", "30", "not a number of seconds"),
    ],
)
def test_wrong_types_and_ranges_are_refused(field: str, value: Any, words: str) -> None:
    error = refused({"prompt": "x", field: value}, field)
    assert words in str(error)


def test_seed_bounds() -> None:
    assert check_ask_types({"seed": 0})["seed"] == 0
    assert check_ask_types({"seed": 2**32 - 1})["seed"] == 2**32 - 1
    assert refused({"seed": 2**32}).allowed == "an integer from 0 to 4294967295"


@pytest.mark.parametrize(
    "value", ["a.png", b"\x89PNG", Path("a.png"), Media(url="https://a/b.png")]
)
def test_a_single_medium_is_not_a_list_of_reference_images(value: Any) -> None:
    error = refused({"reference_images": value})
    assert "not a list of images" in str(error) and "for one image pass [" in str(error)


@pytest.mark.parametrize("value", [{"a": "b"}, {"a.png"}, 5])
def test_other_non_lists_of_reference_images(value: Any) -> None:
    assert "not a list of images" in str(refused({"reference_images": value}))


def test_each_reference_image_is_named_by_index() -> None:
    error = refused({"reference_images": ["a.png", 7]}, "reference_images[1]")
    assert "not an image or video" in str(error)
    items = check_ask_types({"reference_images": (x for x in ["a.png", b"img"])})
    assert items["reference_images"] == ("a.png", b"img")  # any ordered iterable


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "must be text, not None"),
        (42, "must be text, not an int"),
        (b"bytes", "must be text"),
        ("a\x00b", "contains a NUL character (at index 1)"),
        ("ok \ud800 not", "unpaired surrogate U+D800 (at index 3)"),
        ("\udfff", "unpaired surrogate U+DFFF"),
    ],
)
def test_prompt_text_is_checked(value: Any, words: str) -> None:
    error = refused({"prompt": value})
    assert words in str(error)
    for field in ("prompt", "negative_prompt"):
        if value is None and field == "negative_prompt":
            continue  # None means "not given" for everything but the prompt
        with pytest.raises(InvalidRequest) as caught:
            check_text(field, value)
        assert caught.value.field == field


def test_valid_text_passes() -> None:
    for text in ("", "plain", "emoji 🐈‍⬛ and 中文", "tabs\tand\nnewlines", "\U0001f600"):
        assert check_text("prompt", text) == text
    assert check_ask_types({"prompt": ""}) == {"prompt": ""}  # an empty prompt is clamp's call


def test_unknown_arguments_and_kinds() -> None:
    error = refused({"prompt": "x", "colour": "red"}, "colour")
    assert "not a request argument" in str(error)
    with pytest.raises(ValueError, match="unknown kind"):
        check_ask_types({"x": 1}, {"x": "weird"})


def test_check_ask_follows_the_kinds_an_ask_declares() -> None:
    @attrs.frozen(kw_only=True)
    class Ask:
        prompt: str = attrs.field(metadata={"kind": "text"})
        duration: Any = attrs.field(default=None, metadata={"kind": "seconds"})
        reference_images: Any = attrs.field(default=(), metadata={"kind": "media_list"})
        provider: Any = None  # no kind: a plain non-empty str

    assert check_ask(Ask(prompt="x", duration=2))["duration"] == 2.0
    with pytest.raises(InvalidRequest, match="duration"):
        check_ask(Ask(prompt="x", duration="abc"))
    with pytest.raises(InvalidRequest, match="not a list of images"):
        check_ask(Ask(prompt="x", reference_images="a.png"))
    with pytest.raises(InvalidRequest, match="provider"):
        check_ask(Ask(prompt="x", provider=3))
    assert check_ask({"prompt": "x", "seed": 3}) == {"prompt": "x", "seed": 3}
    with pytest.raises(TypeError):
        check_ask(object())


def test_field_kinds_mirror_the_ask_of_the_engine() -> None:
    try:
        from reelkit.arguments import Ask
    except ImportError:
        pytest.skip("reelkit.arguments is not there")
    declared = {f.name: f.metadata.get("kind", "") for f in attrs.fields(Ask)}
    assert declared == dict(FIELD_KINDS)


# --- params --------------------------------------------------------------------------------


def model_with(*params: Param) -> ModelInfo:
    variant = Variant(resolutions=("720p",), aspect_ratios=("16:9",), durations=Choices((5,)))
    return ModelInfo(
        id="test-model",
        modes=(ModeSpec(mode=Mode.T2V, variants=(variant,)),),
        default_duration=5,
        default_resolution="720p",
        default_aspect_ratio="16:9",
        max_prompt_chars=20,
        params=params,
    )


MODEL = model_with(
    Param(name="style", type="str", choices=("anime", "film")),
    Param(name="steps", type="int"),
    Param(name="guidance", type="float"),
    Param(name="enhance", type="bool"),
    Param(name="keyframes", type="list"),
    Param(name="camera", type="dict"),
    Param(name="level", type="int", choices=(1, 2, 3)),
)


def test_declared_params_of_the_right_type_pass() -> None:
    params = {
        "style": "film",
        "steps": 30,
        "guidance": 7,
        "enhance": False,
        "keyframes": ({"t": 0},),
        "camera": {"pan": 1},
        "level": 2,
    }
    checked = check_params(MODEL, params)
    assert checked == {**params, "keyframes": [{"t": 0}]}
    assert check_params(MODEL, {"guidance": 7.5})["guidance"] == 7.5
    assert check_params(MODEL, None) == {} and check_params(MODEL, {}) == {}


def test_an_undeclared_key_is_refused_with_the_declared_names() -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_params(MODEL, {"styel": "film"})
    error = caught.value
    assert error.field == "params.styel"
    assert "test-model does not accept 'styel'" in str(error)
    assert error.allowed == "camera, enhance, guidance, keyframes, level, steps, style"
    with pytest.raises(InvalidRequest) as caught:
        check_params(model_with(), {"anything": 1})
    assert caught.value.allowed == "no params"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("steps", "30", "is a str"),
        ("steps", 2.5, "is a float"),
        ("steps", True, "is a bool"),  # bools are not ints
        ("guidance", False, "is a bool"),
        ("guidance", "7", "is a str"),
        ("guidance", math.inf, "not a finite number"),
        ("enhance", "yes", "is a str"),
        ("enhance", 1, "is an int"),
        ("keyframes", "0,1", "is a str"),
        ("camera", [1], "is a list"),
        ("style", "watercolour", "not one of the choices"),
        ("style", 5, "is an int"),
        ("style", "fi\x00lm", "NUL"),
        ("level", 4, "not one of the choices"),
        ("level", True, "is a bool"),  # True == 1, but it is no level
    ],
)
def test_wrong_param_values_are_refused(key: str, value: Any, words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_params(MODEL, {key: value})
    assert caught.value.field == f"params.{key}"
    assert words in str(caught.value)
    assert caught.value.allowed


def test_params_must_be_a_mapping() -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_params(MODEL, ["style"])  # type: ignore[arg-type]
    assert caught.value.field == "params"


def test_check_param_alone() -> None:
    assert check_param(Param(name="n", type="int", choices=(1, 2)), 2) == 2
    with pytest.raises(InvalidRequest, match=r"allowed: 1, 2"):
        check_param(Param(name="n", type="int", choices=(1, 2)), 3)


# --- the prompt length: enforced by clamp, not repeated here ---------------------------------


def test_max_prompt_chars_is_enforced_by_clamp_never_truncated() -> None:
    clamp(VideoRequest(prompt="x" * 20), MODEL)
    with pytest.raises(InvalidRequest) as caught:
        clamp(VideoRequest(prompt="x" * 21), MODEL)
    assert caught.value.field == "prompt"
    assert "never truncated" in str(caught.value)
    assert caught.value.allowed == "at most 20 characters"


def test_validation_is_pure(tmp_path: Path) -> None:
    """No file is opened: a path that does not exist passes the type check."""
    missing = tmp_path / "missing.png"
    assert check_ask_types({"first_frame": str(missing)})["first_frame"] == str(missing)
    assert not missing.exists()
    assert validation.SEED_LIMIT == 2**32
