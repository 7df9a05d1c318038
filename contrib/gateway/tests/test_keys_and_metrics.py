"""Caller keys (401s, per-key provider allow-lists and budgets), start-up refusals and metrics."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from reelkit_gateway.keys import Keys, digest

pytestmark = pytest.mark.slow

CAROL, DAVE = "carol-key-0f9e8d7c6b5a4", "dave-key-1a2b3c4d5e6f7"


def configure_keys(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f"""
[gateway.keys.carol]
hash = "sha256:{hashlib.sha256(CAROL.encode()).hexdigest()}"
budget = "0.50 USD"
period = "30d"

[gateway.keys.dave]
hash = "sha256:{hashlib.sha256(DAVE.encode()).hexdigest()}"
providers = ["local"]
""",
        encoding="utf-8",
    )


def sdk(gateway: Any, key: str | None) -> openai.OpenAI:
    return openai.OpenAI(api_key=key or "", base_url=gateway.base_url, max_retries=0)


def test_a_missing_or_wrong_key_is_a_401_in_openais_envelope(gateway: Any) -> None:
    answer = httpx.get(gateway.base_url + "/videos")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError) as wrong:
        sdk(gateway, "not-a-key").videos.list()
    assert wrong.value.status_code == 401
    assert wrong.value.body["code"] == "invalid_api_key"  # type: ignore[index]


def test_per_key_providers_and_budgets(
    start_gateway: Any, gateway_env: dict[str, str], reelkit_emulator: Any
) -> None:
    configure_keys(Path(gateway_env["REELKIT_HOME"]))
    gateway = start_gateway()
    dave = sdk(gateway, DAVE)
    with pytest.raises(openai.PermissionDeniedError) as refused:
        dave.videos.create(prompt="a fox", model="sora/sora-2")
    assert refused.value.body["code"] == "provider_not_allowed"  # type: ignore[index]
    auto = dave.videos.create_and_poll(prompt="a fox", poll_interval_ms=50)  # its own provider
    assert auto.status == "completed" and auto.model.startswith("local/")

    carol = sdk(gateway, CAROL)
    first = carol.videos.create(prompt="a heron", model="sora/sora-2", seconds="4")  # est. $0.40
    assert first.status == "queued"
    with pytest.raises(openai.APIStatusError) as over:
        carol.videos.create(prompt="a crane", model="sora/sora-2", seconds="4")
    assert over.value.status_code == 402
    body = over.value.body
    assert body["code"] == "budget_exceeded" and "carol" in body["message"]  # type: ignore[index]
    assert reelkit_emulator.stats()["sora"]["submits"] == 1  # the refused one was never sent
    assert carol.videos.poll(first.id, poll_interval_ms=50).status == "completed"


def test_metrics_count_requests_jobs_and_spend(gateway: Any, dev_keys: tuple[str, ...]) -> None:
    client = sdk(gateway, dev_keys[0])
    video = client.videos.create_and_poll(prompt="a kite", model="sora/sora-2", poll_interval_ms=50)
    assert video.status == "completed"
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("rk_nothing")
    text = httpx.get(gateway.url + "/metrics").text
    assert 'reelkit_gateway_requests_total{method="POST",route="create",status="200"} 1.0' in text
    assert 'reelkit_gateway_requests_total{method="GET",route="retrieve",status="404"} 1.0' in text
    assert 'reelkit_gateway_jobs_submitted_total{provider="sora"} 1.0' in text
    assert 'reelkit_gateway_submit_seconds_count{provider="sora"} 1.0' in text
    assert "reelkit_gateway_poll_seconds_count" in text
    assert 'reelkit_jobs{provider="sora",state="downloaded"} 1.0' in text
    assert 'reelkit_spend_estimated{currency="USD",provider="sora"} 0.4' in text
    health = httpx.get(gateway.url + "/healthz").json()
    assert health["status"] == "ok" and {"sora", "veo", "local"} <= set(health["providers"])


def run_serve(env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    reelkit = Path(sys.executable).parent / "reelkit"  # the verb through the reelkit CLI's hook
    return subprocess.run(
        [str(reelkit), "serve", *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_without_keys_it_refuses_to_start_unless_no_auth_on_loopback(
    gateway_env: dict[str, str],
) -> None:
    env = {**gateway_env, "REELKIT_GATEWAY_KEYS": ""}
    none = run_serve(env, "--port", "0")
    assert none.returncode != 0 and "no caller keys" in none.stderr
    public = run_serve(env, "--no-auth", "--host", "0.0.0.0", "--port", "0")
    assert public.returncode != 0 and "only on loopback" in public.stderr
    both = run_serve(gateway_env, "--no-auth", "--port", "0")
    assert both.returncode != 0 and "--no-auth with caller keys" in both.stderr
    fresh = run_serve(env, "--new-key")
    assert fresh.returncode == 0
    key = fresh.stdout.split("caller, store it nowhere else): ")[1].split()[0]
    assert f"sha256:{digest(key)}" in fresh.stdout


def test_no_auth_serves_loopback_callers(start_gateway: Any) -> None:
    gateway = start_gateway("--no-auth", env={"REELKIT_GATEWAY_KEYS": ""})
    client = sdk(gateway, "anything")
    video = client.videos.create_and_poll(
        prompt="an open card", model="local/local-title-card", poll_interval_ms=50
    )
    assert video.status == "completed"


def test_configured_keys_are_digests_never_keys() -> None:
    from reelkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as raw:
        Keys.load({}, {"gateway": {"keys": {"eve": {"hash": "my-plain-key"}}}})
    assert raw.value.field == "gateway.keys.eve.hash" and "sha256" in str(raw.value)
    with pytest.raises(ConfigurationError) as unknown:
        Keys.load({}, {"gateway": {"keys": {"eve": {"hash": "sha256:" + "0" * 64, "colour": 1}}}})
    assert unknown.value.field == "gateway.keys.eve.colour"
    keys = Keys.load({"REELKIT_GATEWAY_KEYS": "a-key-1,a-key-2"}, {})
    assert keys.names() == ["dev-1", "dev-2"]
    found = keys.find("a-key-2")
    assert found is not None and found.name == "dev-2" and "a-key-2" not in repr(found)
    from reelkit import redact

    assert "a-key-1" not in redact.scrub_text("a log line naming a-key-1")  # masked everywhere
    assert keys.find("a-key-3") is None
