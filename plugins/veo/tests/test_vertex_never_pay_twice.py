"""Never pay twice on Vertex, through the emulator's faults: a submit whose answer is lost is
journalled unknown and never sent again; the task is adopted and polled; a 5xx on submit is not
retried blindly; resume polls in a new process instead of resubmitting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from vertex_helpers import service_account_file

from reelkit.client import Client
from reelkit.errors import ProviderError, SubmitOutcomeUnknown
from reelkit_veo.vertex.auth import VertexAuth

MODEL_PATH = (
    "/v1/projects/reelkit-emulator/locations/us-central1/publishers/google/models/"
    "veo-3.1-generate-preview"
)


@pytest.fixture
def key_file(reelkit_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = service_account_file(reelkit_emulator, tmp_path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path


def submits(emulator: Any) -> int:
    return int(emulator.stats()["vertex"]["submits"])


def test_a_lost_answer_is_unknown_never_resent_then_adopted(
    reelkit_emulator: Any, key_file: Path, tmp_path: Path
) -> None:
    reelkit_emulator.inject("reset", provider="vertex", endpoint="submit")
    with Client() as client:
        with pytest.raises(SubmitOutcomeUnknown) as lost:
            client.submit("A lost fox", provider="vertex", output=tmp_path)
        job_id = lost.value.job_id
        assert job_id is not None
        with pytest.raises(SubmitOutcomeUnknown):  # the same request again: not paid again
            client.submit("A lost fox", provider="vertex", output=tmp_path)
        assert submits(reelkit_emulator) == 0
        # Suppose Vertex had accepted it: the operation exists, and the user found its name.
        base = reelkit_emulator.url("vertex")
        auth = VertexAuth(key_file, (base,))
        with httpx.Client(auth=auth) as http:
            made = http.post(
                base + MODEL_PATH + ":predictLongRunning",
                json={"instances": [{"prompt": "A lost fox"}], "parameters": {"sampleCount": 1}},
            )
        operation = made.json()["name"]
        result = client.adopt(job_id, operation).wait()
    assert result.status == "downloaded"
    assert result.task_id == operation
    assert submits(reelkit_emulator) == 1  # only the one made by hand


def test_a_server_error_on_submit_is_not_retried(
    reelkit_emulator: Any, key_file: Path, tmp_path: Path
) -> None:
    reelkit_emulator.inject("500", provider="vertex", endpoint="submit", times=3)
    with Client() as client, pytest.raises(ProviderError):
        client.generate("Once only", provider="vertex", output=tmp_path)
    stats = reelkit_emulator.stats()["vertex"]
    assert stats["faults"] == 1  # one attempt, no blind retry of a paid call
    assert stats["submits"] == 0


def test_resume_in_a_new_client_polls_instead_of_resubmitting(
    reelkit_emulator: Any, key_file: Path, tmp_path: Path
) -> None:
    with Client() as first:
        job = first.submit("Resumed", provider="vertex", output=tmp_path)
    with Client() as second:
        result = second.resume(job.id).wait()
    assert result.status == "downloaded"
    assert submits(reelkit_emulator) == 1


def test_a_rate_limited_poll_backs_off(
    reelkit_emulator: Any, key_file: Path, tmp_path: Path
) -> None:
    reelkit_emulator.inject("429", provider="vertex", endpoint="poll", times=2)
    with Client() as client:
        result = client.generate("Patience", provider="vertex", output=tmp_path)
    assert result.status == "downloaded"
    assert reelkit_emulator.stats()["vertex"]["faults"] == 2
    assert submits(reelkit_emulator) == 1
