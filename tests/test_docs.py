"""Docs are part of done: every hook documented with its exact signature; provider pages current."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import reelkit.hookspecs as hookspecs
from reelkit.docs import update_pages

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("reelkit_"))


def signature(name: str) -> str:
    text = f"def {name}{inspect.signature(getattr(hookspecs, name))}"
    return re.sub(r"'([^']*)'", r"\1", text)  # annotations are strings under PEP 563


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    assert signature(name) in (DOCS / "hooks.md").read_text()


def test_every_hook_is_implemented_somewhere_in_the_tests_or_plugins() -> None:
    root = DOCS.parent
    sources = "\n".join(
        p.read_text()
        for p in [
            *root.glob("plugins/*/src/**/*.py"),
            *root.glob("contrib/*/src/**/*.py"),
            *root.glob("core/src/reelkit/_builtin.py"),
            *root.glob("tests/*.py"),
        ]
    )
    for name in HOOKS:
        assert f"def {name}(" in sources, f"{name} has no implementation to learn from"


def test_provider_pages_are_generated_from_current_data() -> None:
    stale = update_pages(DOCS, check=True)
    assert stale == [], f"run `uv run python -m reelkit.docs docs` to refresh: {stale}"
