"""Plugin loading: entry points found lazily, broken and duplicate plugins reported, not fatal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import awkward
import pytest

from reelkit import PluginError, hookimpl
from reelkit.plugins import PluginHost

BIN = Path(sys.executable).parent


def install_fake_distribution(
    site: Path, name: str, module: str, source: str, entry: str | None = None
) -> None:
    """Install a third-party plugin the way pip would: a module and a dist-info with entry points."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[reelkit]\n{entry or module} = {module}\n")


BROKEN = """
raise RuntimeError("this plugin is broken on purpose")
"""

DUPLICATE_LOCAL = """
from reelkit import hookimpl, ProviderInfo, ModelInfo, ModeSpec, Mode, Variant, Range

@hookimpl
def reelkit_register_providers(register):
    register(
        ProviderInfo(name="local", title="An impostor", default_model="m"),
        models=[ModelInfo(id="m", default_duration=5, default_resolution="720p", default_aspect_ratio="16:9",
                          modes=(ModeSpec(mode=Mode.T2V, variants=(Variant(resolutions=("720p",), aspect_ratios=("16:9",), durations=Range(1, 5)),)),))],
    )
"""


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "reelkit"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )  # type: ignore[call-overload]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "site"


def test_broken_and_duplicate_plugins_are_reported_and_do_not_stop_generate(
    site: Path, isolated_env: Path, tmp_path: Path
) -> None:
    install_fake_distribution(site, "reelkit-broken", "reelkit_broken", BROKEN, entry="broken")
    install_fake_distribution(
        site, "reelkit-impostor", "reelkit_impostor", DUPLICATE_LOCAL, entry="zz_impostor"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "REELKIT_HOME": str(isolated_env)}
    listing = run(["plugins", "--json"], env)
    assert listing.returncode == 0, listing.stderr
    records = {r["name"]: r for r in json.loads(listing.stdout)}
    assert "this plugin is broken on purpose" in records["broken"]["error"]
    impostor = records["zz_impostor"]["error"]
    assert (
        "reelkit-local" in impostor and "reelkit-impostor" in impostor
    )  # both distributions named
    assert records["local"]["loaded"] and not records["local"]["error"]

    done = run(
        ["generate", "a test card", "-p", "local", "-d", "1", "--resolution", "480p", "--json"],
        env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["provider"] == "local"

    strict = run(["plugins", "--json"], {**env, "REELKIT_STRICT_PLUGINS": "1"})
    assert strict.returncode != 0 and "broken on purpose" in strict.stderr


def test_import_only_the_plugin_in_use(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, reelkit
        before = sorted(m for m in sys.modules if m.startswith("reelkit_"))
        from reelkit.plugins import PluginHost
        PluginHost().provider("local")
        after = sorted(m.split(".")[0] for m in sys.modules if m.startswith("reelkit_"))
        print(before, sorted(set(after)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['reelkit_local']"


def test_allow_and_deny_lists() -> None:
    allowed = PluginHost(env={"REELKIT_LOAD_PLUGINS": "local"})
    assert [p.info.name for p in allowed.all_providers()] == ["local"]
    denied = PluginHost(env={"REELKIT_DISABLE_PLUGINS": "local"})
    assert "local" not in {p.info.name for p in denied.all_providers()}


def test_misspelt_hook_is_a_load_error() -> None:
    class Typo:
        @hookimpl
        def reelkit_transalte(self, provider: str) -> None:  # sic
            raise AssertionError("never called")

    host = PluginHost(plugins=[Typo()], entry_points=False)
    assert "reelkit_transalte" in (host.records["Typo"].error or "")
    with pytest.raises(PluginError):
        PluginHost(plugins=[Typo()], entry_points=False, env={"REELKIT_STRICT_PLUGINS": "1"})


def test_scoped_dispatch_and_broadcast_observers() -> None:
    calls: list[str] = []

    class Other:
        """A second provider whose translate must never answer for awkward."""

        @hookimpl
        def reelkit_register_providers(self, register: object) -> None:
            info = awkward.PROVIDER.__class__(name="other", title="Other", default_model="ties")
            register(info, models=awkward.MODELS)  # type: ignore[operator]

        @hookimpl
        def reelkit_translate(
            self, provider: str, model: object, request: object, config: object
        ) -> object:
            calls.append(f"other:{provider}")
            return None

    class Observer:
        @hookimpl
        def reelkit_translate(
            self, provider: str, model: object, request: object, config: object
        ) -> object:
            calls.append(f"observer:{provider}")
            return None

    host = PluginHost(plugins=[awkward, Other(), Observer()], entry_points=False)
    from reelkit.config import Settings
    from reelkit.models import VideoRequest

    config = Settings.load(env={}).provider_config(awkward.PROVIDER)
    request = host.call(
        "awkward",
        "reelkit_translate",
        model=awkward.MODELS[0],
        request=VideoRequest(prompt="x", size="1280x720"),
        config=config,
    )
    assert request.url.host == "api.awkward.test"
    assert "other:awkward" not in calls  # another provider's plugin never sees awkward's calls
    assert "observer:awkward" in calls  # a cross-cutting plugin does


def test_duplicate_alias_names_both() -> None:
    class Clash:
        @hookimpl
        def reelkit_register_providers(self, register: object) -> None:
            info = awkward.PROVIDER.__class__(
                name="clash", title="Clash", aliases=("awk",), default_model="ties"
            )
            register(info, models=awkward.MODELS)  # type: ignore[operator]

    host = PluginHost(plugins=[awkward, Clash()], entry_points=False)
    assert "'awk'" in (host.records["Clash"].error or "")
    assert "clash" not in host.providers


@pytest.fixture
def core_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packages of a `pip install reelkit-core`: no plugin distribution at all."""
    from importlib import metadata

    real = metadata.distribution

    def distribution(name: str) -> metadata.Distribution:
        if name.startswith("reelkit-") and name != "reelkit-core":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "entry_points", lambda **_: metadata.EntryPoints(()))
    monkeypatch.setattr(metadata, "distribution", distribution)


def test_with_no_provider_installed_plan_says_what_to_install(
    core_only: None, isolated_env: Path
) -> None:
    from reelkit import Client, InvalidRequest

    with Client() as client:
        assert client.host.all_providers() == []
        for kwargs in ({}, {"model": "sora-2"}):
            with pytest.raises(InvalidRequest) as info:
                client.plan("x", **kwargs)  # type: ignore[arg-type]
            assert info.value.field == "provider"
            assert "can serve this request: " not in str(info.value)
            assert "`pip install reelkit-local`" in str(info.value)
            assert '`pip install reelkit-veo` or `pip install "reelkit[veo]"`' in str(info.value)


@pytest.mark.parametrize(
    ("name", "provider"), [("sora", "sora"), ("openai", "sora"), ("veo", "veo"), ("local", "local")]
)
def test_a_first_party_provider_not_installed_names_its_distribution(
    core_only: None, isolated_env: Path, name: str, provider: str
) -> None:
    from reelkit import Client, UnknownProvider

    with Client() as client, pytest.raises(UnknownProvider) as info:
        client.plan("x", provider=name)
    assert info.value.field == "provider"
    assert f"`pip install reelkit-{provider}`" in str(info.value)
    # The meta-distribution has an extra per remote provider; `local` is in it already.
    assert (f'`pip install "reelkit[{provider}]"`' in str(info.value)) == (provider != "local")


def test_an_unknown_name_gets_no_install_hint(
    core_only: None,
) -> None:
    from reelkit import UnknownProvider

    with pytest.raises(UnknownProvider) as info:
        PluginHost().provider("mystery")
    assert "pip install" not in str(info.value)


def test_a_provider_left_out_by_the_environment_says_so() -> None:
    from reelkit import UnknownProvider

    with pytest.raises(UnknownProvider) as info:
        PluginHost(env={"REELKIT_LOAD_PLUGINS": "local"}).provider("openai")
    assert "installed but not loaded: REELKIT_LOAD_PLUGINS=local leaves it out" in str(info.value)
    assert "pip install" not in str(info.value)
    with pytest.raises(UnknownProvider) as info:
        PluginHost(entry_points=False).provider("sora")
    assert "entry_points=False" in str(info.value)


def test_the_first_party_table_matches_the_installed_plugins_and_extras() -> None:
    from reelkit.plugins import FIRST_PARTY

    host = PluginHost()
    installed = {p.info.name: p for p in host.all_providers()}
    for name, aliases in FIRST_PARTY.items():
        provider = installed[name]
        assert provider.info.aliases == aliases, name
        assert host.records[provider.plugin_name].distribution == f"reelkit-{name}"
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for name in set(FIRST_PARTY) - {"local"}:  # the hint's `pip install "reelkit[NAME]"` works
        assert any(req.startswith(f"reelkit-{name}") for req in extras[name]), name
