"""An inline test plugin with awkward capabilities and an in-memory fake service.

Discrete durations with ties, variants that constrain each other, a provider that takes two
polls to finish, redirects its downloads to another host, and counts every submit — so the
engine's promises (clamping, never paying twice, no credential forwarding) can be checked.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx

from reelkit import (
    Asset,
    Choices,
    Failed,
    ImageLimits,
    JobHandle,
    Mode,
    ModelInfo,
    ModeSpec,
    ProviderInfo,
    Queued,
    Range,
    Running,
    Succeeded,
    Variant,
    hookimpl,
)
from reelkit.wire import error_for_status, json_request, read_json, require

PROVIDER = ProviderInfo(
    name="awkward",
    title="Awkward test provider",
    aliases=("awk",),
    default_model="ties",
    priority=50,
    credential_env=(("AWKWARD_KEY",),),
    base_url="https://api.awkward.test",
    poll_interval_s=0.0,
)

MODELS = [
    ModelInfo(
        id="ties",
        aliases=("ties-v1",),
        default_duration=4,
        default_resolution="720p",
        default_aspect_ratio="16:9",
        supports_seed=True,
        max_prompt_chars=200,
        images=ImageLimits(formats=("png",), transports=("base64",), max_bytes=10_000),
        modes=(
            ModeSpec(
                mode=Mode.T2V,
                variants=(
                    # 4 and 6: a request for 5 is a tie and must snap to 6.
                    Variant(
                        resolutions=("720p",),
                        aspect_ratios=("16:9", "9:16"),
                        durations=Choices((4, 6)),
                    ),
                    # 1080p only at 10 s and only landscape: resolution must win over duration.
                    Variant(
                        resolutions=("1080p",),
                        aspect_ratios=("16:9",),
                        durations=Choices((10,)),
                        note="1080p needs 10 s",
                    ),
                ),
            ),
            ModeSpec(
                mode=Mode.I2V,
                variants=(
                    Variant(
                        resolutions=("480p",),
                        aspect_ratios=("1:1",),
                        durations=Range(2, 5, step=0.5),
                        fps=(12, 24),
                    ),
                ),
            ),
            ModeSpec(
                mode=Mode.REFERENCE,
                max_reference_images=2,
                variants=(
                    Variant(
                        resolutions=("720p",), aspect_ratios=("16:9",), durations=Choices((8,))
                    ),
                ),
            ),
        ),
    ),
]


@hookimpl
def reelkit_register_providers(register: Any) -> None:
    register(PROVIDER, models=MODELS)


@hookimpl
def reelkit_translate(provider: str, model: ModelInfo, request: Any, config: Any) -> httpx.Request:
    body = {
        "model": model.id,
        "prompt": request.prompt,
        "seconds": request.duration,
        "size": request.size,
        "seed": request.seed,
        "image": request.first_frame.base64() if request.first_frame else None,
    }
    return json_request("POST", f"{config.base_url}/jobs", body)


@hookimpl
def reelkit_parse_submit(
    provider: str, model: Any, request: Any, response: httpx.Response
) -> JobHandle:
    if not response.is_success:
        body = read_json(response, provider) if response.content else {}
        raise error_for_status(response, provider, message=str(body.get("error", "")) or None)
    data = read_json(response, provider)
    return JobHandle(provider=provider, model=model.id, task_id=require(data, "id", provider))


@hookimpl
def reelkit_poll_request(provider: str, job: JobHandle, config: Any) -> httpx.Request:
    return httpx.Request("GET", f"{config.base_url}/jobs/{job.task_id}")


@hookimpl
def reelkit_parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> Any:
    if not response.is_success:
        raise error_for_status(response, provider)
    data = read_json(response, provider)
    status = require(data, "status", provider)
    if status == "queued":
        return Queued()
    if status == "running":
        return Running(progress=data.get("progress"))
    if status == "done":
        return Succeeded(assets=[Asset(url=require(data, "url", provider), mime_type="video/mp4")])
    return Failed(
        message=data.get("error", "failed"), code=data.get("code"), filtered=status == "blocked"
    )


def tiny_mp4() -> bytes:
    # A sound top-level box structure (ftyp, moov, mdat) for the engine's checks; not decodable.
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    moov = b"\x00\x00\x00\x10moov" + b"\x00\x00\x00\x08free"
    return ftyp + moov + b"\x00\x00\x00\x48mdat" + b"\x00" * 64


class FakeService:
    """In-memory awkward.test: two polls to finish, downloads redirect to cdn.awkward.test."""

    def __init__(self, polls: int = 2, outcome: str = "done") -> None:
        self.polls_to_finish = polls
        self.outcome = outcome
        self.tasks: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        self.seen_auth: dict[str, list[str | None]] = {"api": [], "cdn": []}
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if host == "cdn.awkward.test":
            self.counts["downloads"] += 1
            self.seen_auth["cdn"].append(request.headers.get("authorization"))
            return httpx.Response(200, content=tiny_mp4(), headers={"content-type": "video/mp4"})
        self.seen_auth["api"].append(request.headers.get("authorization"))
        if request.headers.get("authorization") != "Bearer sekrit-key-123":
            return httpx.Response(401, json={"error": "bad key"})
        if request.method == "POST" and path == "/jobs":
            self.counts["submits"] += 1
            self.bodies.append(json.loads(request.content))
            task = f"t{len(self.tasks) + 1}"
            self.tasks[task] = 0
            return httpx.Response(200, json={"id": task, "status": "queued", "extra": "ignored"})
        if request.method == "GET" and path.startswith("/jobs/"):
            task = path.rsplit("/", 1)[1]
            if path.endswith("/content"):
                return httpx.Response(
                    302, headers={"location": f"https://cdn.awkward.test/{task}.mp4"}
                )
            self.counts["polls"] += 1
            self.tasks[task] += 1
            n = self.tasks[task]
            if n < self.polls_to_finish:
                return httpx.Response(
                    200, json={"status": "running", "progress": n / self.polls_to_finish}
                )
            if self.outcome != "done":
                return httpx.Response(
                    200, json={"status": self.outcome, "error": "nope", "code": "E1"}
                )
            return httpx.Response(
                200, json={"status": "done", "url": f"https://api.awkward.test/jobs/{task}/content"}
            )
        return httpx.Response(404, json={"error": "no route"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
