"""JSON fixtures -> reelkit records, for the tests of the OpenAI-style plugins.

The tests of ``reelkit-sora``, ``reelkit-qiniu`` and ``reelkit-newapi`` keep their cases as JSON
built from documented examples (``tests/fixtures/*.json``); these helpers turn a case into a
``VideoRequest``, an ``httpx.Response`` or a checked ``JobStatus``, so the three suites share
one reading of the fixture format:

- a request spec is ``VideoRequest``'s fields, with media as ``{"url"}`` or ``{"data_b64",
  "mime_type", "width", "height"}`` and sources as ``{"task_id", "video_url", ...}``;
- a response spec has ``status`` (default 200), ``headers``, and ``body`` (JSON) or ``raw``;
- an expectation has ``type`` (``Queued``/``Running``/``Succeeded``/``Failed``/``error``) and
  the values to check.

Test code only: it lives in the dialect's ``tests/`` directory (on pytest's ``pythonpath``, see
the root ``pyproject.toml``) and in no wheel; the plugins never import it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import Mode, ModelInfo, Param
from reelkit.errors import ReelkitError
from reelkit.models import (
    Failed,
    JobHandle,
    JobStatus,
    Media,
    ProviderConfig,
    Queued,
    Running,
    SourceJob,
    Succeeded,
    VideoRequest,
)

__all__ = [
    "PARAM_SAMPLES",
    "FixtureSuite",
    "assert_downloaded",
    "build_request",
    "build_response",
    "check_429_poll_is_retried",
    "check_default_handle_polls_alike",
    "check_outcome",
    "check_poll_case",
    "check_submit_case",
    "check_translate_case",
    "config",
    "create_directly",
    "load_cases",
    "lose_a_submit",
    "mode_inputs",
    "outcome",
    "request_json",
    "sample_value",
    "sent_value",
    "translate_with_params",
]


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The ``cases`` of a fixture file."""
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return cases


def _media(spec: Mapping[str, Any]) -> Media:
    spec = dict(spec)
    data = spec.pop("data_b64", None)
    return Media(data=base64.b64decode(data) if data is not None else None, **spec)


def build_request(spec: Mapping[str, Any]) -> VideoRequest:
    values = dict(spec)
    for key in ("first_frame", "last_frame", "video"):
        if key in values:
            values[key] = _media(values[key])
    values["reference_images"] = [_media(m) for m in values.get("reference_images", [])]
    for key in ("remix_of", "continue_from"):
        if key in values:
            values[key] = SourceJob(**values[key])
    return VideoRequest(**values)


def config(
    provider: str, base_url: str, options: Mapping[str, Any] | None = None
) -> ProviderConfig:
    return ProviderConfig(
        name=provider,
        base_url=base_url,
        poll_interval_s=1.0,
        timeout_s=60.0,
        options=dict(options or {}),
    )


def build_response(spec: Mapping[str, Any], request: httpx.Request) -> httpx.Response:
    status = int(spec.get("status", 200))
    headers = dict(spec.get("headers", {}))
    if "raw" in spec:
        return httpx.Response(
            status, headers=headers, content=str(spec["raw"]).encode(), request=request
        )
    return httpx.Response(status, headers=headers, json=spec.get("body"), request=request)


def request_json(request: httpx.Request) -> Any:
    """The JSON body of a built request (after checking its content type)."""
    assert request.headers["content-type"] == "application/json", request.headers.get(
        "content-type"
    )
    return json.loads(request.content)


def outcome(call: Callable[[], Any]) -> Any:
    """The hook's result, or the typed error it raised (anything else propagates)."""
    try:
        return call()
    except ReelkitError as exc:
        return exc


def check_outcome(result: JobStatus | ReelkitError, expect: Mapping[str, Any]) -> None:
    """Assert a poll (or submit) outcome matches a fixture's ``expect``."""
    kind = expect["type"]
    if kind == "error":
        assert isinstance(result, ReelkitError), f"expected {expect['error']}, got {result!r}"
        assert type(result).__name__ == expect["error"], repr(result)
        for key in ("retryable", "retry_after", "code"):
            if key in expect:
                assert getattr(result, key) == expect[key], (key, getattr(result, key))
        if "text" in expect:
            assert expect["text"] in str(result), str(result)
        return
    assert type(result).__name__ == kind, repr(result)
    if isinstance(result, (Queued, Running)) and "poll_after" in expect:
        assert result.poll_after == expect["poll_after"]
    if isinstance(result, Running) and "progress" in expect:
        assert result.progress == expect["progress"]
    if isinstance(result, Failed):
        for key in ("filtered", "code", "message"):
            if key in expect:
                assert getattr(result, key) == expect[key], (key, getattr(result, key))
    if isinstance(result, Succeeded):
        _check_succeeded(result, expect)


def _check_succeeded(result: Succeeded, expect: Mapping[str, Any]) -> None:
    video = result.video
    assert video is not None
    assert video.url == expect["video_url"]
    if "expires_at" in expect:
        assert video.expires_at == datetime.fromtimestamp(expect["expires_at"], tz=timezone.utc)
    if "expires_in" in expect:
        assert video.expires_at is not None
        left = (video.expires_at - datetime.now(timezone.utc)).total_seconds()
        assert abs(left - expect["expires_in"]) < 60
    if "assets" in expect:
        assert [a.url for a in result.assets] == expect["assets"]
    for key, value in expect.get("metadata", {}).items():
        assert result.metadata.get(key) == value, key


# --- whole cases: one reading of translate.json, poll.json and submit.json -----------------


def check_translate_case(
    case: Mapping[str, Any],
    models: Mapping[str, ModelInfo],
    module: Any,
    *,
    provider: str,
    base_url: str,
) -> None:
    """Clamp the case's request with the core, translate it, compare with ``expect``.

    ``module`` is the plugin's ``videos`` module; ``adjusted`` lists the fields clamping must
    change (none by default).
    """
    from reelkit import clamp

    model = models[case["model"]]
    applied, adjustments = clamp(build_request(case["request"]), model)
    assert [a.field for a in adjustments] == case.get("adjusted", [])
    cfg = config(provider, case.get("base_url", base_url), case.get("options"))
    request = module.translate(model, applied, cfg)
    assert request.method == case["expect"].get("method", "POST")
    assert str(request.url) == case["expect"]["url"]
    assert request_json(request) == case["expect"]["json"]


def check_poll_case(
    case: Mapping[str, Any], module: Any, job: JobHandle, *, base_url: str, poll_url: str
) -> None:
    """Build the poll request, answer it with the case's response, check the outcome."""
    poll = module.poll_request(job, config(job.provider, base_url))
    assert (poll.method, str(poll.url)) == ("GET", poll_url)
    check_outcome(
        outcome(lambda: module.parse_poll(job, build_response(case, poll))), case["expect"]
    )


def check_submit_case(
    case: Mapping[str, Any], module: Any, model: ModelInfo, *, submit_url: str
) -> None:
    """Parse the case's create answer: a handle with ``expect.task_id`` or the expected error."""
    sent = httpx.Request("POST", submit_url)
    response = build_response(case, sent)
    result = outcome(lambda: module.parse_submit(model, VideoRequest(prompt="p"), response))
    expect = case["expect"]
    if "task_id" in expect:
        assert isinstance(result, JobHandle), repr(result)
        assert (result.model, result.task_id) == (model.id, expect["task_id"])
    else:
        check_outcome(result, {"type": "error", **expect})


class FixtureSuite:
    """One plugin's ``translate.json``, ``poll.json`` and ``submit.json`` as one parametrised test.

    ``api`` is the plugin's ``videos.API``; polls go to ``poll_url`` for ``job``, creates are
    answered at ``submit_url`` for ``models[submit_model]``.
    """

    KINDS = ("translate", "poll", "submit")

    def __init__(
        self,
        api: Any,
        models: Mapping[str, ModelInfo],
        *,
        base_url: str,
        job: JobHandle,
        poll_url: str,
        submit_url: str,
        submit_model: str,
    ) -> None:
        self.api, self.models, self.base_url, self.job = api, models, base_url, job
        self.poll_url, self.submit_url, self.submit_model = poll_url, submit_url, submit_model

    def params(self, directory: Path) -> list[Any]:
        """``pytest.param(kind, case, id=...)`` for every case of every fixture file."""
        import pytest

        return [
            pytest.param(kind, case, id=f"{kind}: {case['name']}")
            for kind in self.KINDS
            for case in load_cases(directory / f"{kind}.json")
        ]

    def check(self, kind: str, case: Mapping[str, Any]) -> None:
        if kind == "translate":
            check_translate_case(
                case, self.models, self.api, provider=self.job.provider, base_url=self.base_url
            )
        elif kind == "poll":
            check_poll_case(
                case, self.api, self.job, base_url=self.base_url, poll_url=self.poll_url
            )
        else:
            check_submit_case(
                case, self.api, self.models[self.submit_model], submit_url=self.submit_url
            )


# --- declared params and adopted handles: the same checks for the three plugins ------------

#: A valid value for each list-of-objects param (their item shapes are checked by translate).
PARAM_SAMPLES: Mapping[str, Any] = {
    "characters": [{"id": "char_1"}],
    "multi_prompt": [{"index": 1, "prompt": "a wave breaks", "duration": "5"}],
    "voice_list": [{"voice_id": "voice_1"}],
    "element_list": [{"element_id": "element_1"}],
}


def sample_value(param: Param) -> Any:
    """A value of ``param``'s type (its last choice, if it has choices)."""
    if param.name in PARAM_SAMPLES:
        return PARAM_SAMPLES[param.name]
    if param.choices:
        return param.choices[-1]
    samples: dict[str, Any] = {
        "str": "reelkit-test",
        "int": 1,
        "float": 0.5,
        "bool": True,
        "list": ["reelkit-test"],
        "dict": {"reelkit_test": True},
    }
    return samples[param.type]


def mode_inputs(mode: Mode) -> dict[str, Any]:
    """``VideoRequest`` inputs that make clamping infer ``mode`` (media by URL)."""
    frame, last = Media(url="https://example.com/a.png"), Media(url="https://example.com/b.png")
    source = SourceJob(task_id="video_src", video_url="https://example.com/src.mp4")
    inputs: dict[Mode, dict[str, Any]] = {
        Mode.T2V: {},
        Mode.I2V: {"first_frame": frame},
        Mode.FIRST_LAST: {"first_frame": frame, "last_frame": last},
        Mode.REFERENCE: {"reference_images": (frame, last)},
        Mode.EDIT: {"video": Media(url="https://example.com/src.mp4", mime_type="video/mp4")},
        Mode.EXTEND: {"continue_from": source},
        Mode.REMIX: {"remix_of": source},
    }
    return inputs[mode]


def translate_with_params(
    module: Any,
    model: ModelInfo,
    params: Mapping[str, Any],
    *,
    provider: str,
    base_url: str,
    mode: Mode | None = None,
) -> httpx.Request:
    """Clamp and translate a request in ``mode`` (default: the model's first create mode)."""
    from reelkit import clamp

    if mode is None:
        mode = next(s.mode for s in model.modes if s.mode not in (Mode.REMIX, Mode.EXTEND))
    request = VideoRequest(prompt="a wave breaks", params=dict(params), **mode_inputs(mode))
    applied, _ = clamp(request, model)
    assert applied.mode is mode, (model.id, applied.mode, mode)
    result: httpx.Request = module.translate(model, applied, config(provider, base_url))
    return result


def sent_value(body: Mapping[str, Any], name: str, value: Any) -> bool:
    """Did ``value`` reach the body as ``name`` (a mapping may have merged with reelkit's own)?"""
    if name not in body:
        return False
    if isinstance(value, Mapping):
        sent = body[name]
        return isinstance(sent, Mapping) and all(sent.get(k) == v for k, v in value.items())
    return bool(body[name] == value)


def _request_key(request: httpx.Request | None) -> Any:
    if request is None:
        return None
    request.read()
    return (request.method, str(request.url), sorted(request.headers.items()), request.content)


def check_default_handle_polls_alike(
    module: Any,
    model: ModelInfo,
    created: Mapping[str, Any],
    completed: Mapping[str, Any],
    *,
    provider: str,
    base_url: str,
    submit_url: str,
) -> None:
    """The core's default adopted handle ``JobHandle(provider, model.id, task_id)`` polls and
    downloads exactly like the handle ``parse_submit`` builds from the ``created`` answer.

    ``completed`` is a finished Video object: both handles parse it into the same assets, whose
    download requests must match too.
    """
    cfg = config(provider, base_url)
    sent = httpx.Request("POST", submit_url)
    submitted = module.parse_submit(
        model, VideoRequest(prompt="p"), httpx.Response(200, json=created, request=sent)
    )
    adopted = JobHandle(provider=provider, model=model.id, task_id=submitted.task_id)
    assert submitted == adopted, (submitted, adopted)
    polls = [module.poll_request(job, cfg) for job in (submitted, adopted)]
    assert _request_key(polls[0]) == _request_key(polls[1])
    statuses = [
        module.parse_poll(job, httpx.Response(200, json=completed, request=poll))
        for job, poll in zip((submitted, adopted), polls, strict=True)
    ]
    assert isinstance(statuses[0], Succeeded) and statuses[0] == statuses[1], statuses
    for a, b in zip(statuses[0].assets, statuses[1].assets, strict=True):
        downloads = [
            module.download_request(submitted, a, cfg),
            module.download_request(adopted, b, cfg),
        ]
        assert _request_key(downloads[0]) == _request_key(downloads[1])


# --- end to end against the emulator ------------------------------------------------------


def assert_downloaded(result: Any, *, expires: bool = True) -> None:
    """A finished ``Result``: downloaded, a real MP4 on disk, and (if ``expires``) an expiry."""
    assert result.status == "downloaded", result
    assert result.path is not None and Path(result.path).read_bytes()[4:8] == b"ftyp"
    if expires:
        assert result.expires_at is not None


def check_429_poll_is_retried(client: Any, emulator: Any, provider: str, output: Path) -> None:
    """A 429 on the first poll is waited out; the job is submitted exactly once."""
    job = client.submit("a slow cat", provider=provider, output=output)
    emulator.inject("429", provider=provider)
    assert_downloaded(job.wait(), expires=False)
    stats = emulator.stats()[provider]
    assert (stats["submits"], stats["faults"]) == (1, 1)


def lose_a_submit(client: Any, emulator: Any, provider: str, prompt: str, output: Path) -> str:
    """Submit with the connection reset on the create: the job is journalled ``unknown``.

    Returns the reelkit job id. The emulator drops the connection before creating a task, so a
    test that wants "accepted, answer lost" creates the task itself with the same prompt.
    """
    import pytest

    from reelkit.errors import SubmitOutcomeUnknown

    emulator.inject("reset", provider=provider, endpoint="submit")
    with pytest.raises(SubmitOutcomeUnknown) as info:
        client.submit(prompt, provider=provider, output=output)
    job_id = info.value.job_id
    assert job_id is not None
    return job_id


def create_directly(emulator: Any, provider: str, body: Mapping[str, Any]) -> str:
    """``POST /v1/videos`` straight to the fake (as if reelkit's answer had been lost)."""
    response = httpx.post(
        f"{emulator.url(provider)}/v1/videos",
        json=dict(body),
        headers={"authorization": "Bearer emulator"},
    )
    assert response.is_success, response.text
    task_id: str = response.json()["id"]
    return task_id


# --- a provider's documented examples, sent through reelkit unchanged ---------------------


def _same_json(sent: Any, documented: Any, where: str = "body") -> None:
    """Equal field for field, with the same JSON types (``"4"`` is not ``4``, ``1`` not ``True``)."""
    assert type(sent) is type(documented), (where, sent, documented)
    if isinstance(documented, dict):
        assert sorted(sent) == sorted(documented), (where, sorted(sent), sorted(documented))
        for key, value in documented.items():
            _same_json(sent[key], value, f"{where}.{key}")
    elif isinstance(documented, list):
        assert len(sent) == len(documented), (where, sent, documented)
        for index, (a, b) in enumerate(zip(sent, documented, strict=True)):
            _same_json(a, b, f"{where}.{index}")
    else:
        assert sent == documented, (where, sent, documented)


def check_documented_example(
    case: Mapping[str, Any],
    *,
    provider: str,
    env: Mapping[str, str],
    home: Path,
    prompt_field: str = "prompt",
) -> Any:
    """Plan the case's reelkit call with ``strict=True`` and compare the request it would send
    with the documented example: method, path (after the base URL's host) and JSON body.

    ``case`` is ``{"name", "call": {reelkit keyword arguments}, "expect": {"method", "path",
    "json"}}``; the prompt is the example's own. Returns the plan (no adjustments, by strict).
    """
    import reelkit

    expect = case["expect"]
    call = dict(case["call"])
    prompt = call.pop("prompt", None) or expect["json"][prompt_field]
    client = reelkit.Client(env=dict(env), home=home)
    plan = client.plan(prompt, provider=provider, strict=True, **call)
    assert plan.adjustments == (), plan.adjustments
    http = plan.http
    assert http is not None
    assert http.method == expect["method"]
    assert httpx.URL(http.url).path == expect["path"], http.url
    _same_json(http.body, expect["json"])
    return plan


# --- clamped, never silently: a requested setting is on the wire or reported not sent --------

SETTINGS = ("duration", "resolution", "aspect_ratio")


def _scalars(value: Any) -> set[str]:
    if isinstance(value, Mapping):
        return set().union(*(_scalars(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_scalars(v) for v in value)) if value else set()
    return {str(value).lower()}


def _carried(setting: str, applied: VideoRequest, spec: Any, sent: set[str]) -> bool:
    if setting == "duration":
        return str(int(applied.duration or 0)) in sent
    offered = {
        x
        for v in spec.variants
        for x in getattr(v, f"{setting}s" if setting == "resolution" else "aspect_ratios")
    }
    value = str(getattr(applied, setting)).lower()
    return len(offered) == 1 or value in sent or str(applied.size).lower() in sent


def check_requested_settings_are_sent_or_reported(
    api: Any,
    models: Mapping[str, ModelInfo],
    *,
    provider: str,
    base_url: str,
    options: Mapping[str, Any] | None = None,
) -> int:
    """For every model, mode and variant: ask for a duration, resolution and aspect ratio the
    variant offers (so clamping changes nothing), translate, and check that each one is on the
    wire or reported with ``reelkit.wire.not_sent``. Returns how many requests were checked."""
    from reelkit import clamp, wire

    checked = 0
    for model in models.values():
        for spec in model.modes:
            for variant in spec.variants:
                request = VideoRequest(
                    prompt="a wave breaks",
                    duration=variant.durations.lowest,
                    resolution=variant.resolutions[-1],
                    aspect_ratio=variant.aspect_ratios[-1],
                    **mode_inputs(spec.mode),
                )
                applied, adjustments = clamp(request, model)
                if adjustments or applied.mode is not spec.mode:
                    continue  # another variant or mode won: covered by its own turn
                http = api.translate(model, applied, config(provider, base_url, options))
                reported = {a.field for a in wire.reported_not_sent(http)}
                http.read()
                try:
                    sent = _scalars(json.loads(http.content))
                except ValueError:  # multipart: the text parts are in the bytes
                    sent = set(http.content.decode("utf-8", "replace").lower().split())
                for setting in SETTINGS:
                    if setting in reported:
                        continue
                    assert _carried(setting, applied, spec, sent), (
                        f"{provider}/{model.id} {spec.mode.value}: {setting}="
                        f"{getattr(applied, setting)!r} is neither sent nor reported: {sent}"
                    )
                checked += 1
    return checked
