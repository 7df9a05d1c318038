"""Helpers of the Vertex tests: the emulator's service-account key, recorded JSON, a config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reelkit.models import ProviderConfig
from reelkit_veo.vertex import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> Any:
    return next(m for m in MODELS if m.id == model_id)


def config(base_url: str = PROVIDER.base_url, **options: Any) -> ProviderConfig:
    return ProviderConfig(
        name="vertex",
        base_url=base_url,
        poll_interval_s=PROVIDER.poll_interval_s,
        timeout_s=PROVIDER.timeout_s,
        options={"project": "my-project", "location": "us-central1", **options},
    )


def service_account_file(emulator: Any, directory: Path) -> Path:
    """A key file the emulator issued (its token_uri is the emulator's token endpoint)."""
    info = httpx.get(emulator.url("vertex") + "/_emulator/service-account.json").json()
    path = directory / "service-account.json"
    path.write_text(json.dumps(info))
    return path


def grants(emulator: Any) -> int:
    return int(httpx.get(emulator.url("vertex") + "/_emulator/grants").json()["grants"])


def revoke(emulator: Any) -> None:
    httpx.post(emulator.url("vertex") + "/_emulator/revoke").raise_for_status()
