"""The Veo (Gemini API) fake in process: predictLongRunning, operations, the download redirect."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import veo as v
from reelkit_emulator.redirect import swap_loopback_host

pytestmark = pytest.mark.anyio

KEY = {"x-goog-api-key": "gemini-key"}
V31 = "veo-3.1-generate-preview"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()
IMAGE = {"bytesBase64Encoded": PNG, "mimeType": "image/png"}


@pytest.fixture
def app(cache_dir: Path) -> Any:
    return create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[v.FAKE])


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    # The base URL's host matters: the download redirect goes to the other loopback name.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://127.0.0.1:8765", headers=KEY
    ) as c:
        yield c


@pytest.fixture
async def anonymous(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://127.0.0.1:8765"
    ) as c:
        yield c


async def generate(
    client: httpx.AsyncClient, model: str = V31, *, params: Any = None, **instance: Any
) -> httpx.Response:
    instance.setdefault("prompt", "a cat on a skateboard")
    body: dict[str, Any] = {"instances": [instance]}
    if params is not None:
        body["parameters"] = params
    return await client.post(f"/veo/v1beta/models/{model}:predictLongRunning", json=body)


async def finish(client: httpx.AsyncClient, name: str, polls: int = 3) -> dict[str, Any]:
    for _ in range(polls):
        r = await client.get(f"/veo/v1beta/{name}")
        assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def assert_google_error(r: httpx.Response, code: int, status: str) -> str:
    assert r.status_code == code, r.text
    err = r.json()["error"]
    assert (err["code"], err["status"]) == (code, status)
    message: str = err["message"]
    return message


async def test_text_to_video_operation_and_redirected_download(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    r = await generate(client, params={"aspectRatio": "16:9", "durationSeconds": 8})
    assert r.status_code == 200, r.text
    name = r.json()["name"]
    assert name.startswith(f"models/{V31}/operations/")
    assert set(r.json()) == {"name"}
    running = (await client.get(f"/veo/v1beta/{name}")).json()
    assert running == {"name": name}  # done is absent while running
    done = await finish(client, name, polls=2)
    assert done["done"] is True
    assert done["response"]["@type"].endswith("PredictLongRunningResponse")
    (sample,) = done["response"]["generateVideoResponse"]["generatedSamples"]
    uri = sample["video"]["uri"]
    assert uri.startswith("http://127.0.0.1:8765/veo/v1beta/files/")
    assert uri.endswith(":download?alt=media")

    assert_google_error(await anonymous.get(uri), 403, "PERMISSION_DENIED")
    hop = await client.get(uri)
    assert hop.status_code == 302
    location = hop.headers["location"]
    assert location.startswith("http://localhost:8765/veo/_download/")
    video = await anonymous.get(location)  # no key needed on the redirect target
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    import av

    with av.open(io.BytesIO(video.content)) as container:
        st = container.streams.video[0]
        assert (st.width, st.height) == (1280, 720)
        assert container.duration is not None
        assert abs(container.duration / 1e6 - 8) < 0.3
    log = (await client.get("/veo/_emulator/downloads")).json()
    assert (log["redirects"], log["served"], log["key_forwarded"]) == (1, 1, 0)
    assert log["events"][-1]["credentials"] == []


async def test_redirect_target_records_a_forwarded_key(client: httpx.AsyncClient) -> None:
    # httpx strips only Authorization on a cross-origin redirect: x-goog-api-key travels along.
    name = (await generate(client)).json()["name"]
    done = await finish(client, name)
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    video = await client.get(uri, follow_redirects=True)
    assert video.status_code == 200
    log = (await client.get("/veo/_emulator/downloads")).json()
    assert log["key_forwarded"] == 1
    assert log["events"][-1] == {
        "operation": name.rsplit("/", 1)[1],
        "event": "served",
        "host": "localhost:8765",
        "credentials": ["x-goog-api-key"],
    }


async def test_redirect_target_refuses_the_api_hosts_host_header(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    # A client that copies the first request's headers sends ``Host: 127.0.0.1:8765`` to the
    # redirect target (localhost:8765): another server would not serve it, nor does the fake.
    done = await finish(client, (await generate(client)).json()["name"])
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    location = (await client.get(uri)).headers["location"]
    r = await anonymous.get(location, headers={"host": "127.0.0.1:8765"})
    assert "Host header" in assert_google_error(r, 404, "NOT_FOUND")
    log = (await client.get("/veo/_emulator/downloads")).json()
    assert log["served"] == 0
    assert log["events"][-1]["event"] == "wrong_host"
    assert (await anonymous.get(location)).status_code == 200


async def test_query_key_is_accepted_and_not_carried_by_the_redirect(
    anonymous: httpx.AsyncClient,
) -> None:
    body = {"instances": [{"prompt": "waves"}]}
    r = await anonymous.post(
        f"/veo/v1beta/models/{V31}:predictLongRunning", params={"key": "k"}, json=body
    )
    assert r.status_code == 200
    name = r.json()["name"]
    for _ in range(3):
        done = (await anonymous.get(f"/veo/v1beta/{name}", params={"key": "k"})).json()
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    video = await anonymous.get(uri + "&key=k", follow_redirects=True)
    assert video.status_code == 200
    log = (await anonymous.get("/veo/_emulator/downloads")).json()
    assert log["key_forwarded"] == 0  # the Location replaces the query string


async def test_credentials_are_checked(anonymous: httpx.AsyncClient) -> None:
    r = await generate(anonymous)
    assert "API Key" in assert_google_error(r, 403, "PERMISSION_DENIED")
    r = await anonymous.post(
        f"/veo/v1beta/models/{V31}:predictLongRunning",
        headers={"x-goog-api-key": " "},
        json={"instances": [{"prompt": "x"}]},
    )
    assert assert_google_error(r, 400, "INVALID_ARGUMENT") == (
        "API key not valid. Please pass a valid API key."
    )
    assert r.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"


async def test_inline_data_is_rejected_like_the_real_api(client: httpx.AsyncClient) -> None:
    r = await generate(client, image={"inlineData": {"mimeType": "image/png", "data": PNG}})
    assert r.json() == {
        "error": {
            "code": 400,
            "message": "inlineData isn't supported by this model.",
            "status": "INVALID_ARGUMENT",
        }
    }
    r = await generate(
        client,
        image=IMAGE,
        lastFrame={"inlineData": {"mimeType": "image/png", "data": PNG}},
    )
    assert assert_google_error(r, 400, "INVALID_ARGUMENT").startswith("inlineData")


async def test_image_modes(client: httpx.AsyncClient) -> None:
    assert (await generate(client, image=IMAGE)).status_code == 200
    assert (await generate(client, image=IMAGE, lastFrame=IMAGE)).status_code == 200
    refs = [{"image": IMAGE, "referenceType": "ASSET"}] * 3
    assert (await generate(client, referenceImages=refs)).status_code == 200
    assert (await generate(client, referenceImages=refs[:1] * 1)).status_code == 200
    cases = [
        ({"lastFrame": IMAGE}, "lastFrame must be used in combination with the image"),
        ({"image": {"bytesBase64Encoded": "***", "mimeType": "image/png"}}, "not valid base64"),
        ({"image": {"bytesBase64Encoded": PNG}}, "mimeType"),
        ({"image": {"gcsUri": "gs://b/x.png", "mimeType": "image/png"}}, "gcsUri"),
        ({"referenceImages": refs * 2}, "1 to 3"),
        (
            {"referenceImages": [{"image": IMAGE, "referenceType": "STYLE"}]},
            "style isn't supported",
        ),
        ({"referenceImages": refs[:1], "image": IMAGE}, "cannot be combined"),
        ({"referenceImages": refs[:1], "prompt": ""}, "prompt is required"),
        ({"prompt": ""}, "prompt is required for text-to-video"),
        ({"mask": IMAGE}, "mask"),
    ]
    for instance, needle in cases:
        message = assert_google_error(await generate(client, **instance), 400, "INVALID_ARGUMENT")
        assert needle in message, (instance, message)


@pytest.mark.parametrize(
    ("model", "params", "needle"),
    [
        (V31, {"seed": 1}, "seed"),
        (V31, {"generateAudio": True}, "generateAudio"),
        (V31, {"fps": 24}, "fps"),
        (V31, {"storageUri": "gs://x/"}, "storageUri"),
        (V31, {"frobnicate": 1}, "frobnicate"),
        (V31, {"durationSeconds": 5}, "4, 6, 8"),
        (V31, {"durationSeconds": 6, "resolution": "1080p"}, "must be 8"),
        (V31, {"durationSeconds": 4, "resolution": "4k"}, "must be 8"),
        (V31, {"aspectRatio": "1:1"}, "aspectRatio"),
        (V31, {"resolution": "8k"}, "resolution"),
        (V31, {"personGeneration": "allow_adult"}, "allow_all"),
        (V31, {"sampleCount": 2}, "sampleCount"),
        ("veo-3.1-lite-generate-preview", {"resolution": "4k"}, "resolution"),
        ("veo-3.0-generate-001", {"resolution": "1080p", "aspectRatio": "9:16"}, "16:9"),
        ("veo-2.0-generate-001", {"resolution": "720p"}, "resolution isn't supported"),
        ("veo-2.0-generate-001", {"durationSeconds": 4}, "5, 6, 7, 8"),
    ],
)
async def test_parameter_rules(
    client: httpx.AsyncClient, model: str, params: dict[str, Any], needle: str
) -> None:
    message = assert_google_error(
        await generate(client, model, params=params), 400, "INVALID_ARGUMENT"
    )
    assert needle in message


async def test_accepted_parameter_forms(client: httpx.AsyncClient) -> None:
    ok = [
        (V31, {"durationSeconds": "8", "resolution": "1080p", "aspectRatio": "9:16"}),
        (V31, {"durationSeconds": 4, "negativePrompt": "blur", "enhancePrompt": True}),
        (V31, {"personGeneration": "allow_all", "sampleCount": 1}),
        ("veo-2.0-generate-001", {"numberOfVideos": 2, "durationSeconds": 5}),
        ("veo-3.1-lite-generate-preview", {"resolution": "1080p", "durationSeconds": 8}),
    ]
    for model, params in ok:
        r = await generate(client, model, params=params)
        assert r.status_code == 200, (model, params, r.text)
    veo2 = await generate(client, "veo-2.0-generate-001", params={"sampleCount": 2})
    samples = (await finish(client, veo2.json()["name"]))["response"]["generateVideoResponse"]
    assert len(samples["generatedSamples"]) == 2
    assert_google_error(
        await generate(client, "veo-3.1-lite-generate-preview", referenceImages=[{"image": IMAGE}]),
        400,
        "INVALID_ARGUMENT",
    )


async def test_unknown_model_top_level_field_and_operation(client: httpx.AsyncClient) -> None:
    message = assert_google_error(await generate(client, "veo-9"), 404, "NOT_FOUND")
    assert "predictLongRunning" in message
    r = await client.post(
        f"/veo/v1beta/models/{V31}:predictLongRunning",
        json={"instances": [{"prompt": "x"}], "config": {}},
    )
    assert 'Unknown name "config"' in assert_google_error(r, 400, "INVALID_ARGUMENT")
    r = await client.get(f"/veo/v1beta/models/{V31}/operations/nope")
    assert_google_error(r, 404, "NOT_FOUND")


async def test_extension_of_a_generated_video(client: httpx.AsyncClient) -> None:
    first = await finish(
        client, (await generate(client, params={"aspectRatio": "9:16"})).json()["name"]
    )
    uri = first["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    video = {"uri": uri, "encoding": "video/mp4"}
    r = await generate(client, video=video, prompt="continue")
    assert r.status_code == 200, r.text
    ext = await finish(client, r.json()["name"])
    ext_uri = ext["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    hop = await client.get(ext_uri)
    assert hop.status_code == 302

    cases = [
        ({"video": video, "image": IMAGE}, None, "cannot be combined"),
        ({"video": {"encodedVideo": "AAAA"}}, None, "Video bytes"),
        ({"video": {"uri": "https://elsewhere/v.mp4"}}, None, "generated by Veo"),
        ({"video": video}, {"resolution": "1080p", "durationSeconds": 8}, "720p"),
        ({"video": video}, {"durationSeconds": 6}, "must be 8"),
        ({"video": video}, {"aspectRatio": "16:9"}, "match the input"),
        ({"video": video}, {"personGeneration": "allow_adult"}, "allow_all"),
    ]
    for instance, params, needle in cases:
        message = assert_google_error(
            await generate(client, params=params, **instance), 400, "INVALID_ARGUMENT"
        )
        assert needle in message, (instance, params, message)
    lite = await generate(client, "veo-3.1-lite-generate-preview", video=video)
    assert "extension isn't supported" in assert_google_error(lite, 400, "INVALID_ARGUMENT")


async def test_files_expire_after_two_days(client: httpx.AsyncClient, app: Any) -> None:
    done = await finish(client, (await generate(client)).json()["name"])
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    location = (await client.get(uri)).headers["location"]
    app.state.emulator.clock.advance(v.REDIRECT_TTL_SECONDS + 1)
    r = await client.get(location)
    assert_google_error(r, 403, "PERMISSION_DENIED")  # the short-lived redirect link expired
    assert (await client.get(uri)).status_code == 302  # the file itself is still there
    app.state.emulator.clock.advance(v.FILE_TTL_SECONDS)
    assert_google_error(await client.get(uri), 404, "NOT_FOUND")
    r = await generate(client, video={"uri": uri})
    assert "last two days" in assert_google_error(r, 400, "INVALID_ARGUMENT")


async def test_rai_filtered_and_failed_operations(client: httpx.AsyncClient) -> None:
    rai = await finish(
        client, (await generate(client, prompt="x [emulator:moderation]")).json()["name"]
    )
    result = rai["response"]["generateVideoResponse"]
    assert "generatedSamples" not in result
    assert result["raiMediaFilteredCount"] == 1
    assert "not be charged" in result["raiMediaFilteredReasons"][0]
    failed = await finish(
        client, (await generate(client, prompt="x [emulator:fail]")).json()["name"]
    )
    assert failed["done"] is True
    assert failed["error"]["code"] == 13
    assert "response" not in failed


async def test_injected_429_is_resource_exhausted(client: httpx.AsyncClient, app: Any) -> None:
    app.state.emulator.faults.schedule("429", provider="veo", endpoint="submit")
    r = await generate(client)
    assert_google_error(r, 429, "RESOURCE_EXHAUSTED")
    assert r.headers["retry-after"] == "1"


def test_helpers() -> None:
    assert v.file_id_of("https://g/v1beta/files/qu4d28uipuqh:download?alt=media") == "qu4d28uipuqh"
    assert v.file_id_of("https://g/v1beta/models/x") is None
    assert swap_loopback_host("127.0.0.1:8765") == "localhost:8765"
    assert swap_loopback_host("localhost:8765") == "127.0.0.1:8765"
    assert swap_loopback_host("emu") == "127.0.0.1"
