"""Shared fixtures: a render cache that survives sessions, and a tiny demo fake for framework tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import Reject, bearer_token, json_body, json_response, openai_error
from reelkit_emulator.tasks import VideoSpec


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The parent of the session's basetemp outlives the session: renders are reused across runs.
    return tmp_path_factory.getbasetemp().parent / "reelkit-emulator-cache"


@pytest.fixture(scope="session")
def reelkit_emulator_config(cache_dir: Path) -> EmulatorConfig:
    return EmulatorConfig(cache_dir=cache_dir)


@pytest.fixture
def emulator_client(cache_dir: Path) -> Callable[..., httpx.AsyncClient]:
    """``emulator_client(**config)`` -> an AsyncClient talking in-process (ASGITransport) to the
    built-in fakes; ``client.app.state.emulator`` is the shared state."""

    def make(**config: Any) -> httpx.AsyncClient:
        app = create_app(EmulatorConfig(cache_dir=cache_dir, **config))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://emu")
        client.app = app  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture(scope="session")
def probe() -> Callable[[bytes], tuple[int, int, float]]:
    """``probe(mp4_bytes) -> (width, height, seconds)``, decoded with PyAV."""

    def run(data: bytes) -> tuple[int, int, float]:
        import io

        import av

        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            fps = float(stream.average_rate or stream.base_rate or 1)
            return stream.width, stream.height, frames / fps

    return run


# --- a minimal fake, to test the framework without any real provider's rules ----------------


async def _submit(request: Request, ctx: ProviderContext) -> Response:
    if not bearer_token(request):
        raise Reject(openai_error(401, "missing key"))
    body = await json_body(request)
    task = ctx.create_task(
        request, model="demo-1", prompt=body["prompt"], video=VideoSpec(2, 320, 240)
    )
    return json_response({"id": task.id, "status": task.phase.value})


async def _poll(request: Request, ctx: ProviderContext) -> Response:
    task = ctx.store.poll(request.path_params["id"])
    if task is None:
        raise Reject(openai_error(404, "no such task"))
    body = {"id": task.id, "status": task.phase.value, "progress": task.progress}
    if task.succeeded:
        body["url"] = ctx.media_link(request, task).url
    return json_response(body)


async def _list(request: Request, ctx: ProviderContext) -> Response:
    return json_response({"data": [t.id for t in ctx.store]})


DEMO = ProviderFake(
    name="demo",
    endpoints=[
        Endpoint("/tasks", _submit, ("POST",), "submit"),
        Endpoint("/tasks", _list, ("GET",), "other"),
        Endpoint("/tasks/{id}", _poll, kind="poll"),
    ],
    credentials={"DEMO_API_KEY": "emulator"},
)


@pytest.fixture
def make_demo(cache_dir: Path) -> Callable[..., httpx.AsyncClient]:
    """``make_demo(**config)`` -> an AsyncClient talking in-process to an app with the demo fake."""

    def make(**config: object) -> httpx.AsyncClient:
        app = create_app(EmulatorConfig(cache_dir=cache_dir, **config), fakes=[DEMO])  # type: ignore[arg-type]
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://emu")
        client.app = app  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
async def demo(make_demo: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_demo() as client:
        yield client
