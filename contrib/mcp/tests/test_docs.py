"""docs/mcp.md documents the tools the live server lists, with their current schemas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reelkit_mcp import docs

PAGE = Path(__file__).resolve().parents[3] / "docs" / "mcp.md"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tool_reference_is_generated_from_the_live_server() -> None:
    tools = await docs.list_tools()
    page = PAGE.read_text(encoding="utf-8")
    assert docs.render(page, tools) == page, (
        "run `uv run python -m reelkit_mcp.docs docs/mcp.md` to refresh the tool reference"
    )
    documented = re.findall(r"^### `(\w+)`", page, re.M)
    assert documented == [t.name for t in tools]


def test_every_flag_is_documented() -> None:
    from reelkit_mcp.cli import command

    page = PAGE.read_text(encoding="utf-8")
    for param in command().params:
        for flag in param.opts:
            if flag.startswith("--") and flag != "--help":
                assert flag in page, flag
