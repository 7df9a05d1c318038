"""The plugin tutorial's code runs: its blocks are assembled into a module and put to work."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from reelkit.testing import ProviderContract

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "plugin-tutorial.md"


def load_tutorial_plugin(tmp: Path) -> object:
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(), re.DOTALL)
    source = "\n".join(b for b in blocks if "ProviderContract" not in b)
    path = tmp / "reelkit_acme.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("reelkit_acme", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reelkit_acme"] = module
    spec.loader.exec_module(module)
    return module


def test_tutorial_plugin_generates_through_the_real_engine(tmp_path: Path) -> None:
    module = load_tutorial_plugin(tmp_path)
    result = module.run_example(tmp_path)  # type: ignore[attr-defined]
    assert result.status == "downloaded"
    assert Path(result.path).read_bytes().startswith(b"\x00\x00\x00\x18ftyp")


def test_tutorial_plugin_passes_the_contract_suite(tmp_path: Path) -> None:
    load_tutorial_plugin(tmp_path)

    class Contract(ProviderContract):
        plugin = "reelkit_acme"

    suite = Contract()
    suite.test_registration_is_sane()
    suite.test_translate_every_mode()
    suite.test_clamp_properties()
    suite.test_valid_requests_pass_unchanged()
