"""``local`` declares no ``params`` (translate reads none) and needs no adopt hook."""

from __future__ import annotations

import httpx
import pytest

import reelkit_local
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest
from reelkit.models import ProviderConfig, VideoRequest
from reelkit_local.capabilities import MODELS, TITLE_CARD

CONFIG = ProviderConfig(name="local", base_url="local://render", poll_interval_s=0.2, timeout_s=9)


def test_no_model_declares_params_and_translate_takes_none() -> None:
    assert all(m.params == () for m in MODELS)
    with pytest.raises(InvalidRequest) as err:
        reelkit_local.reelkit_translate(
            provider="local",
            model=TITLE_CARD,
            request=VideoRequest(prompt="x", mode=Mode.T2V, params={"quality": "high"}),
            config=CONFIG,
        )
    assert err.value.field == "params"
    assert err.value.allowed == "none"


def test_the_prompt_is_only_drawn_so_it_has_no_limit() -> None:
    assert TITLE_CARD.max_prompt_chars is None


def test_the_core_default_adopt_handle_is_enough() -> None:
    # A render is polled by its id alone: the submit's handle carries no data, so the core's
    # default JobHandle(provider, model.id, task_id) is exactly what parse_submit makes.
    assert not hasattr(reelkit_local, "reelkit_adopt_handle")
    request = VideoRequest(prompt="x", mode=Mode.T2V)
    sent = reelkit_local.reelkit_translate(
        provider="local", model=TITLE_CARD, request=request, config=CONFIG
    )
    answer = httpx.Response(201, json={"id": "render_1", "status": "queued"}, request=sent)
    handle = reelkit_local.reelkit_parse_submit(
        provider="local", model=TITLE_CARD, request=request, response=answer
    )
    assert (handle.model, handle.task_id, dict(handle.data)) == (TITLE_CARD.id, "render_1", {})
