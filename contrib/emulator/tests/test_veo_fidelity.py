"""Fidelity: ``google-genai`` 2.34 (the last release whose ``generate_videos`` speaks the Gemini
API) against the Veo fake: generate, poll with ``operations.get``, download with ``files``."""

from __future__ import annotations

import struct
from typing import Any

import httpx
import pytest

pytestmark = [
    pytest.mark.fidelity,
    # 2.34 deprecates the prompt/image/video arguments in favour of source=; both send the same.
    pytest.mark.filterwarnings("ignore:The generate_videos method:DeprecationWarning"),
]

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")

MODEL = "veo-3.1-generate-preview"
# A 1x1 PNG: enough for the SDK's Image -> bytesBase64Encoded conversion.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    return genai.Client(
        api_key="gemini-emulator",
        http_options=types.HttpOptions(base_url=reelkit_emulator.url("veo")),
    )


def wait(client: Any, operation: Any, polls: int) -> Any:
    for _ in range(polls):
        if operation.done:
            break
        operation = client.operations.get(operation)
    assert operation.done
    return operation


def test_generate_videos_poll_and_download(client: Any, reelkit_emulator: Any) -> None:
    operation = client.models.generate_videos(
        model=MODEL,
        prompt="a lighthouse at dusk, waves crashing",
        config=types.GenerateVideosConfig(
            aspect_ratio="16:9",
            duration_seconds=8,
            resolution="720p",
            number_of_videos=1,
            negative_prompt="blurry",
        ),
    )
    assert operation.name.startswith(f"models/{MODEL}/operations/")
    operation = wait(client, operation, reelkit_emulator.config.polls_to_complete + 1)
    assert operation.error is None
    (generated,) = operation.response.generated_videos
    assert generated.video.uri.startswith(reelkit_emulator.url("veo") + "/v1beta/files/")
    # The SDK extracts the file id only from https:// URIs (``t_file_name``); the emulator is
    # plain http, so hand the SDK the file name it would have extracted.
    file_id = generated.video.uri.split("files/")[1].split(":")[0]
    data = client.files.download(file=f"files/{file_id}")
    assert data[4:8] == b"ftyp"  # an MP4
    stats = reelkit_emulator.stats()["veo"]
    assert (stats["submits"], stats["downloads"], stats["rejected"]) == (1, 1, 0)
    # The SDK follows the redirect with httpx, which keeps x-goog-api-key on another host.
    log = httpx.get(reelkit_emulator.url("veo") + "/_emulator/downloads").json()
    assert log["redirects"] == 1
    assert log["events"][-1]["host"].startswith("localhost:")


def test_image_to_video_is_sent_as_bytes_base64_and_accepted(
    client: Any, reelkit_emulator: Any
) -> None:
    assert struct.unpack(">II", PNG[16:24]) == (1, 1)
    operation = client.models.generate_videos(
        model=MODEL,
        prompt="the scene comes alive",
        image=types.Image(image_bytes=PNG, mime_type="image/png"),
        config=types.GenerateVideosConfig(
            last_frame=types.Image(image_bytes=PNG, mime_type="image/png"),
            person_generation="allow_adult",
        ),
    )
    operation = wait(client, operation, reelkit_emulator.config.polls_to_complete + 1)
    assert operation.response.generated_videos


def test_extension_by_uri(client: Any, reelkit_emulator: Any) -> None:
    polls = reelkit_emulator.config.polls_to_complete + 1
    first = wait(client, client.models.generate_videos(model=MODEL, prompt="a fox runs"), polls)
    video = first.response.generated_videos[0].video
    extended = wait(
        client,
        client.models.generate_videos(model=MODEL, prompt="it keeps running", video=video),
        polls,
    )
    assert extended.response.generated_videos[0].video.uri != video.uri


def test_rai_filtered_result_reaches_the_sdk(client: Any, reelkit_emulator: Any) -> None:
    operation = client.models.generate_videos(model=MODEL, prompt="x [emulator:moderation]")
    operation = wait(client, operation, reelkit_emulator.config.polls_to_complete + 1)
    assert not operation.response.generated_videos
    assert operation.response.rai_media_filtered_count == 1
    assert operation.response.rai_media_filtered_reasons


def test_server_side_rejection_surfaces_as_client_error(client: Any) -> None:
    from google.genai import errors

    with pytest.raises(errors.ClientError) as exc:
        client.models.generate_videos(
            model=MODEL,
            prompt="x",
            config=types.GenerateVideosConfig(duration_seconds=6, resolution="1080p"),
        )
    assert exc.value.code == 400
    assert exc.value.status == "INVALID_ARGUMENT"
