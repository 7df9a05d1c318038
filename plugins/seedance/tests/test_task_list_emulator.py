"""The task-list hooks against the emulator's Ark fake (loopback only, never the internet)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

pytest.importorskip(
    "reelkit_emulator.providers.seedance", reason="the emulator has no Seedance fake yet"
)

import reelkit_seedance
from reelkit.capabilities import Mode
from reelkit.models import VideoRequest
from reelkit_seedance.capabilities import LITE_T2V, PRO

from .conftest import provider_config


def bearer(request: httpx.Request) -> httpx.Request:
    request.headers["authorization"] = "Bearer emulator-key"  # what the core's default auth does
    return request


def test_submitted_tasks_are_listed_newest_first(reelkit_emulator: Any) -> None:
    config = provider_config(reelkit_emulator.url("seedance"))
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    with httpx.Client(auth=bearer, timeout=30) as http:
        ids = []
        for model, prompt in ((PRO, "a cat on a skateboard"), (LITE_T2V, "a dog on a surfboard")):
            request = VideoRequest(
                prompt=prompt, mode=Mode.T2V, duration=5.0, resolution="480p", aspect_ratio="16:9"
            )
            sent = reelkit_seedance.reelkit_translate(
                provider="seedance", model=model, request=request, config=config
            )
            answer = http.send(sent)
            handle = reelkit_seedance.reelkit_parse_submit(
                provider="seedance", model=model, request=request, response=answer
            )
            ids.append(handle.task_id)
        listing = reelkit_seedance.reelkit_list_tasks_request(
            provider="seedance", config=config, since=before
        )
        response = http.send(listing)
    assert response.status_code == 200, response.text
    tasks = reelkit_seedance.reelkit_parse_task_list(provider="seedance", response=response)
    assert [t.task_id for t in tasks] == ids[::-1]
    assert [t.model for t in tasks] == [LITE_T2V.id, PRO.id]
    assert all(t.status == "queued" for t in tasks)
    for task in tasks:
        assert task.created_at is not None
        assert before <= task.created_at <= datetime.now(timezone.utc) + timedelta(seconds=2)
        # Ark's list does not return the prompt (content holds only outputs); neither does the fake.
        assert task.prompt is None
