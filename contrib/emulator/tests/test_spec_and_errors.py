"""The framework's declarative field specs and error dialects, without any fake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reelkit_emulator.errors import ARK, GOOGLE, OPENAI, S3_XML, VOLC_BUSINESS, XAI, ApiError
from reelkit_emulator.spec import Field, Problem, Schema, check, int_like

MODELS = {"a": ("1x1", "2x2"), "b": ("3x3",)}
SCHEMA = Schema(
    [
        Field("model", required=True, choices=tuple(MODELS)),
        Field(
            "size", choices=lambda v: MODELS[v["model"]], default=lambda v: MODELS[v["model"]][0]
        ),
        Field("prompt", required=True, blank_is_missing=True, max_len=5),
        Field("n", type="integer", coerce=int_like, min=1, max=3, default=1),
        Field("tags", type="array", min_len=1),
        Field("image"),
        Field("video"),
        Field("tail"),
    ],
    exclusive=(("image", "video"),),
    requires=(("tail", "image"),),
)


def problem(body: dict[str, Any]) -> Problem:
    def raise_it(p: Problem) -> ApiError:
        raise AssertionError(p)

    with pytest.raises(AssertionError) as caught:
        check(SCHEMA, body, raise_it)
    found = caught.value.args[0]
    assert isinstance(found, Problem)
    return found


def test_defaults_coercion_and_per_model_choices() -> None:
    values = check(
        SCHEMA,
        {"model": "b", "prompt": "hi", "n": "2"},
        lambda p: ApiError(status=400, message=p.kind),
    )
    assert (values["size"], values["n"], values["tags"]) == ("3x3", 2, None)
    assert problem({"model": "b", "prompt": "hi", "size": "1x1"}).names == ("3x3",)


@pytest.mark.parametrize(
    ("body", "kind", "field"),
    [
        ({"model": "a", "prompt": "x", "extra": 1}, "unknown", "extra"),
        ({"prompt": "x"}, "missing", "model"),
        ({"model": "a", "prompt": "  "}, "missing", "prompt"),
        ({"model": "a", "prompt": 5}, "type", "prompt"),
        ({"model": "c", "prompt": "x"}, "choice", "model"),
        ({"model": "a", "prompt": "x", "n": 9}, "range", "n"),
        ({"model": "a", "prompt": "x", "n": "many"}, "type", "n"),
        ({"model": "a", "prompt": "toolong"}, "too_long", "prompt"),
        ({"model": "a", "prompt": "x", "tags": []}, "too_short", "tags"),
        ({"model": "a", "prompt": "x", "image": "i", "video": "v"}, "exclusive", "video"),
        ({"model": "a", "prompt": "x", "tail": "t"}, "requires", "tail"),
    ],
)
def test_each_kind_of_problem(body: dict[str, Any], kind: str, field: str) -> None:
    found = problem(body)
    assert (found.kind, found.field) == (kind, field)


def test_null_is_unset_unless_not_nullable() -> None:
    assert (
        check(
            SCHEMA,
            {"model": "a", "prompt": "x", "n": None},
            lambda p: ApiError(status=400, message=""),
        )["n"]
        == 1
    )
    strict = Schema([Field("seconds", nullable=False, default="4")])
    assert problem_of(strict, {"seconds": None}).kind == "type"
    assert check(strict, {}, lambda p: ApiError(status=400, message=""))["seconds"] == "4"


def problem_of(schema: Schema, body: dict[str, Any]) -> Problem:
    seen: list[Problem] = []

    def keep(p: Problem) -> ApiError:
        seen.append(p)
        return ApiError(status=400, message=p.kind)

    with pytest.raises(ApiError):
        check(schema, body, keep)
    return seen[0]


def body_of(error: ApiError) -> Any:
    return json.loads(bytes(error.render().body))


def test_dialects_render_their_own_envelopes() -> None:
    assert body_of(OPENAI.error(400, "bad", param="p", code="c")) == {
        "error": {"message": "bad", "type": "invalid_request_error", "param": "p", "code": "c"}
    }
    assert body_of(XAI.error(400, "bad", code="Client specified an invalid argument")) == {
        "code": "Client specified an invalid argument",
        "error": "bad",
    }
    google = GOOGLE.error(
        400, "bad", code="INVALID_ARGUMENT", extra={"details": ({"reason": "R"},)}
    )
    assert body_of(google) == {
        "error": {
            "code": 400,
            "message": "bad",
            "status": "INVALID_ARGUMENT",
            "details": [{"reason": "R"}],
        }
    }
    business = body_of(VOLC_BUSINESS.error(429, "limit", code=50429))
    assert (business["code"], business["status"], business["data"]) == (50429, 50429, None)
    assert (
        S3_XML.error(403, "gone", code="AccessDenied")
        .render()
        .body.endswith(b"<Code>AccessDenied</Code><Message>gone</Message></Error>")
    )


def test_ark_errors_carry_one_fresh_request_id_per_answer() -> None:
    error = ARK.error(400, "bad.", code="InvalidParameter")
    first, second = error.render(), error.render()
    ids = []
    for response in (first, second):
        body = json.loads(bytes(response.body))
        assert body["error"]["message"] == f"bad. Request id: {response.headers['x-request-id']}"
        assert body["error"]["type"] == "BadRequest"
        ids.append(response.headers["x-request-id"])
    assert ids[0] != ids[1]


def test_an_error_without_a_dialect_takes_the_fakes_and_keeps_its_headers() -> None:
    error = ApiError(status=429, message="slow down", code="rate").with_headers(
        {"Retry-After": "1"}
    )
    response = error.render(XAI)
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    with pytest.raises(ValueError, match="no dialect"):
        error.render()
