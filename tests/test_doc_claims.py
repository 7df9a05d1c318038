"""What the docs claim a call prints, it prints: every ```python block in docs/ with
``print(...)  # -> EXPECTED`` lines runs against the emulator, and each printed line is compared
with its claim (``...`` at the start of a claim matches any prefix)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reelkit.testing import png_bytes

DOCS = Path(__file__).resolve().parents[1] / "docs"
CLAIM = re.compile(r"^\s*print\(.*\)\s*#\s*->\s*(?P<expected>.+?)\s*$")


def claimed_blocks() -> list[tuple[str, str, list[str]]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for index, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S)):
            claims = [m["expected"] for line in block.splitlines() if (m := CLAIM.match(line))]
            if claims:
                found.append((f"{page.relative_to(DOCS)}#{index}", block, claims))
    return found


BLOCKS = claimed_blocks()


def test_the_docs_make_claims_this_test_checks() -> None:
    assert any(name.startswith("providers/jimeng.md") for name, _, _ in BLOCKS)


@pytest.mark.parametrize(("name", "code", "claims"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_a_documented_output_is_what_the_code_prints(
    reelkit_emulator: Any, tmp_path: Path, name: str, code: str, claims: list[str]
) -> None:
    for image in ("day.png", "night.png", "frame.png"):  # what the examples name
        (tmp_path / image).write_bytes(png_bytes(640, 360))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, f"{name}: {done.stderr}"
    printed = done.stdout.splitlines()
    assert len(printed) == len(claims), f"{name}: printed {printed}"
    for line, claim in zip(printed, claims, strict=True):
        if claim.startswith("..."):
            assert line.endswith(claim[3:].strip()), f"{name}: {line!r} is not {claim!r}"
        else:
            assert line == claim, f"{name}: {line!r} is not {claim!r}"


def test_a_missing_gateway_url_exits_as_the_guide_and_the_newapi_page_say(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELKIT_NEWAPI")}
    env.update(NEWAPI_API_KEY="sk-test", REELKIT_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "reelkit"), "generate", "x", "-p", "newapi", "--dry-run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 5 and "REELKIT_NEWAPI_BASE_URL" in done.stderr
    guide = (DOCS / "guide.md").read_text()
    assert re.search(r"\| `MissingCredentials` \(`MissingBaseURL`\).*\| 5 \|", guide)
    assert "exit status 5" in (DOCS / "providers" / "newapi.md").read_text()
