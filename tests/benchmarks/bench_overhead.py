"""Per-job overhead: what reelkit spends before a request leaves, per provider, in microseconds.

For each installed provider's default model, with dummy credentials (nothing is sent):

- ``plan``: ``Client.plan(prompt, provider=...)``: choose, clamp, translate, sign a copy, redact
  the preview (everything a submit does before the socket, plus the preview);
- ``clamp``: ``reelkit.clamp(request, model)`` alone;
- ``translate``: the plugin's ``reelkit_translate`` alone (build the ``httpx.Request``);
- ``sign``: the plugin's ``reelkit_auth`` plus one pass of its auth flow over the request
  (bearer header for most; Volcengine HMAC-V4 for jimeng).

Each figure is the median over ``repeat`` timeit rounds of the per-call time.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from collections.abc import Callable
from typing import Any

from tests.benchmarks.common import median

PROMPT = "A paper boat drifting down a rainy street at dusk, cinematic, 35 mm"

DUMMY_ENV = {
    "XAI_API_KEY": "xai-benchmark",
    "GEMINI_API_KEY": "gemini-benchmark",
    "OPENAI_API_KEY": "sk-benchmark",
    "ARK_API_KEY": "ark-benchmark",
    "VOLC_ACCESSKEY": "AKLTbenchmark",
    "VOLC_SECRETKEY": "c2VjcmV0LWJlbmNobWFyaw==",
    "QINIU_API_KEY": "qiniu-benchmark",
    "NEWAPI_API_KEY": "newapi-benchmark",
    "REELKIT_NEWAPI_BASE_URL": "https://gateway.example/v1",
    "KLING_ACCESS_KEY": "kling-benchmark",
    "KLING_SECRET_KEY": "kling-secret-benchmark",
    "MINIMAX_API_KEY": "minimax-benchmark",
    "RUNWAYML_API_SECRET": "runway-benchmark",
    "DASHSCOPE_API_KEY": "dashscope-benchmark",
    "GOOGLE_CLOUD_PROJECT": "benchmark-project",  # Vertex AI's request path names it
    "GOOGLE_CLOUD_LOCATION": "us-central1",
}


def per_call_us(fn: Callable[[], Any], repeat: int) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()  # at least 0.2 s per round
    number = max(1, number // 4)
    return median([t / number * 1e6 for t in timer.repeat(repeat=repeat, number=number)])


def measure(client: Any, info: Any, repeat: int) -> dict[str, Any]:
    import httpx

    import reelkit
    from reelkit.catalog import _ask

    name = info.name
    host = client.host
    model = client.model(name)
    prepared = client._engine.prepare(_ask(PROMPT, {"provider": name}))
    applied, http = prepared.plan.request, prepared.request
    config = client.settings.provider_config(info)
    credentials = client.settings.credentials(info) or reelkit.Credentials()

    def plan() -> Any:
        return client.plan(PROMPT, provider=name)

    def clamp() -> Any:
        return reelkit.clamp(applied, model)

    def translate() -> Any:
        return host.call(name, "reelkit_translate", model=model, request=applied, config=config)

    def sign() -> Any:
        copy = httpx.Request(http.method, http.url, headers=http.headers, content=http.content)
        auth = host.call(name, "reelkit_auth", credentials=credentials, config=config)
        return next(auth.sync_auth_flow(copy)) if auth is not None else copy

    auth = host.call(name, "reelkit_auth", credentials=credentials, config=config)
    return {
        "provider": name,
        "model": model.id,
        "signing": type(auth).__name__ if auth is not None else "none",
        "plan_us": per_call_us(plan, repeat),
        "clamp_us": per_call_us(clamp, repeat),
        "translate_us": per_call_us(translate, repeat),
        "sign_us": per_call_us(sign, repeat),
    }


def run(repeat: int = 3) -> list[dict[str, Any]]:
    import reelkit

    rows = []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, **DUMMY_ENV, "REELKIT_HOME": home}
        with reelkit.Client(env=env) as client:
            for info in client.providers():
                try:
                    rows.append(measure(client, info, repeat))
                except reelkit.ReelkitError as exc:
                    # A provider whose signing needs a real credential (Vertex AI's OAuth token
                    # exchange) cannot be timed offline: a row saying why, not a failed run.
                    rows.append({"provider": info.name, "error": f"{type(exc).__name__}: {exc}"})
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
