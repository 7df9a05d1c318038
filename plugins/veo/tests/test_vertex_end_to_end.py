"""Vertex end to end through ``reelkit.Client`` against the emulator: every mode, both output
kinds (inline bytes, ``gs://`` through the Cloud Storage API), OAuth from a service-account key
file whose token endpoint is the emulator's, and the token refreshed after a 401."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from vertex_helpers import grants, revoke, service_account_file

from reelkit.client import Client
from reelkit.errors import ConfigurationError, ContentFiltered, MissingCredentials
from reelkit.testing import assert_video, png_bytes

PNG = png_bytes(64, 36)


@pytest.fixture
def key_file(reelkit_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = service_account_file(reelkit_emulator, tmp_path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path


@pytest.fixture
def client(key_file: Path) -> Any:
    with Client() as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    return str(path)


def stats(emulator: Any) -> dict[str, Any]:
    return dict(emulator.stats()["vertex"])


def test_text_to_video_inline_bytes(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    before = grants(reelkit_emulator)  # the fake's token grants outlive its reset
    result = client.generate("Ocean waves", provider="vertex", duration=6, seed=7, output=tmp_path)
    assert_video(result)
    assert (result.provider, result.model, result.duration) == (
        "vertex",
        "veo-3.1-generate-preview",
        6,
    )
    assert result.video_url.startswith("data:video/mp4;base64,")
    assert result.to_dict()["video_url"] == "data:video/mp4;base64,…"  # never megabytes of JSON
    assert stats(reelkit_emulator)["submits"] == 1
    assert grants(reelkit_emulator) == before + 1  # one token for the submit and every poll


def test_gcs_output_downloads_through_storage_api(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "A lighthouse",
        provider="vertex",
        model="veo-3.1-fast",
        params={"storage_uri": "gs://my-bucket/reelkit"},
        output=tmp_path,
    )
    assert_video(result)
    assert result.video_url.startswith("gs://my-bucket/reelkit/")
    assert stats(reelkit_emulator)["downloads"] == 1


def test_image_modes(client: Any, image: str, tmp_path: Path) -> None:
    i2v = client.generate("It moves", provider="vertex", first_frame=image, output=tmp_path)
    assert_video(i2v)
    assert i2v.mode == "i2v"
    fl = client.generate(
        "Between",
        provider="vertex",
        model="veo-3.1-lite-generate-001",
        first_frame=image,
        last_frame=image,
        output=tmp_path,
    )
    assert_video(fl)
    assert fl.mode == "first_last"
    refs = client.generate(
        "The same dog", provider="vertex", reference_images=[image, image], output=tmp_path
    )
    assert_video(refs)
    assert (refs.mode, refs.duration) == ("reference", 8)


def test_extension_of_gcs_and_inline_outputs(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    first = client.generate(
        "A road trip",
        provider="vertex",
        duration=8,
        params={"storage_uri": "gs://b/out"},
        output=tmp_path / "a.mp4",
    )
    extended = client.generate(
        "The road goes on",
        provider="vertex",
        continue_from=first.job_id,
        params={"storage_uri": "gs://b/out"},
        output=tmp_path / "b.mp4",
    )
    assert_video(extended)
    assert extended.mode == "extend"
    sent = reelkit_emulator.emulator.context("vertex").store.get(
        extended.task_id.rsplit("/", 1)[-1]
    )
    assert sent.params["instances"][0]["video"]["gcsUri"] == first.video_url
    by_uri = client.generate(
        "And on", provider="vertex", continue_from=first.video_url, output=tmp_path / "c.mp4"
    )
    assert_video(by_uri)
    inline = client.generate("A boat", provider="vertex", output=tmp_path / "d.mp4")
    again = client.generate(
        "It sails on", provider="vertex", continue_from=inline.job_id, output=tmp_path / "e.mp4"
    )
    assert_video(again)
    sent = reelkit_emulator.emulator.context("vertex").store.get(again.task_id.rsplit("/", 1)[-1])
    assert "bytesBase64Encoded" in sent.params["instances"][0]["video"]


def test_moderation_is_content_filtered(client: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered):
        client.generate("[emulator:moderation] no", provider="vertex", output=tmp_path)


def test_a_revoked_token_is_refreshed_once(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    before = grants(reelkit_emulator)
    job = client.submit("One", provider="vertex", output=tmp_path)
    assert grants(reelkit_emulator) == before + 1
    revoke(reelkit_emulator)  # every poll's cached token now answers 401
    result = job.wait()
    assert result.status in ("succeeded", "downloaded")
    assert grants(reelkit_emulator) == before + 2
    assert stats(reelkit_emulator)["submits"] == 1  # the 401s never resubmitted


def test_missing_project_and_missing_key_files(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with Client() as c, pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT"):
        c.generate("x", provider="vertex", output=tmp_path)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    # No key file named: gcloud's ADC file, in the (moved) gcloud config directory, is absent.
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    with Client() as c, pytest.raises(MissingCredentials) as missing:
        c.generate("x", provider="vertex", output=tmp_path)
    assert "application_default_credentials.json" in str(missing.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(missing.value)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    with Client() as c, pytest.raises(MissingCredentials, match=r"absent\.json"):
        c.generate("x", provider="vertex", output=tmp_path)
    assert reelkit_emulator.stats()["vertex"]["submits"] == 0


def test_gcloud_authorized_user_file(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`gcloud auth application-default login` writes an authorized_user file: refresh grant."""
    gcloud = tmp_path / "gcloud"
    gcloud.mkdir()
    (gcloud / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "emulator.apps.googleusercontent.com",
                "client_secret": "emulator-client-secret",
                "refresh_token": "1//emulator-refresh-token",
                "token_uri": reelkit_emulator.url("vertex") + "/token",
            }
        )
    )
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(gcloud))
    with Client() as c:
        result = c.generate("Via gcloud", provider="vertex", output=tmp_path)
    assert_video(result)


def test_async_client_runs_the_same_oauth_flow(
    key_file: Path, reelkit_emulator: Any, tmp_path: Path
) -> None:
    import asyncio

    from reelkit.client import AsyncClient

    async def main() -> Any:
        async with AsyncClient() as c:
            return await c.generate(
                "Clouds drifting",
                provider="vertex",
                params={"storage_uri": "gs://async-bucket/x"},
                output=tmp_path,
            )

    assert_video(asyncio.run(main()))


def test_dry_run_shows_a_placeholder_and_no_secret(key_file: Path) -> None:
    with Client() as c:
        plan = c.plan("Clouds", provider="vertex", duration=5)
    body = json.dumps(plan.to_dict())
    assert "reelkit-preview-token" in body or "***" in body
    assert "ya29." not in body and "PRIVATE KEY" not in body
    assert ":predictLongRunning" in plan.to_dict()["http"]["url"]


def test_the_emulator_masks_real_google_credentials(reelkit_emulator: Any, tmp_path: Path) -> None:
    """Without the emulator's key file a test cannot reach Google: no key file, no gcloud."""
    with Client() as c, pytest.raises(MissingCredentials, match="reelkit-emulator-no-gcloud"):
        c.generate("x", provider="vertex", output=tmp_path)
    assert reelkit_emulator.stats()["vertex"]["submits"] == 0


def test_tokens_never_reach_logs_or_the_journal(
    client: Any, reelkit_emulator: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import os

    caplog.set_level(logging.DEBUG)
    result = client.generate("Quiet", provider="vertex", output=tmp_path)
    assert_video(result)
    tokens = list(reelkit_emulator.emulator.context("vertex").oauth.tokens)
    assert tokens
    journal = b"".join(
        p.read_bytes() for p in Path(os.environ["REELKIT_HOME"]).rglob("*") if p.is_file()
    )
    for token in tokens:
        assert token not in caplog.text
        assert token.encode() not in journal
        assert token not in json.dumps(result.to_dict())
