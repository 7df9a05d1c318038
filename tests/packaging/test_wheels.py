"""The distributions install what their names and extras promise, and their sdists ship no workspace.

Every distribution is built (sdist, then the wheel from that sdist) into a temporary directory,
and installed into fresh virtual environments, offline: what lands is counted.

The installs go through ``uv sync --no-editable`` from uv.lock into a fresh environment: uv builds
each member's wheel and installs it, and takes the third-party wheels from its cache, which the
preceding ``uv sync`` of this checkout filled. ``uv pip install --find-links <wheels>`` would
resolve the third-party requirements again, and offline that needs the registry's index pages,
which a locked ``uv sync`` never fetches (on CI's fresh cache: "attrs was not found in the
cache"). That the built wheels' metadata asks for the same as the lock is checked on its own.
"""

from __future__ import annotations

import email.message
import email.parser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"
PROVIDERS = (
    "grok",
    "veo",
    "sora",
    "seedance",
    "jimeng",
    "qiniu",
    "newapi",
    "runway",
    "kling",
    "minimax",
    "wan",
)
CLI = {"reelkit-cli", "click", "rich"}
RENDERER = {"reelkit-local", "av", "numpy", "pillow"}
POSTGRES = {"psycopg", "psycopg-binary", "psycopg-pool"}


#: The library the OpenAI-style providers build on: a dialect, no provider (no entry point).
DIALECT = "reelkit-openai-videos"
OPENAI_STYLE = ("sora", "qiniu", "newapi")


def provider(name: str) -> set[str]:
    """What a provider extra adds: its distribution, and for sora, qiniu and newapi the shared
    OpenAI Videos dialect (never another provider)."""
    return {f"reelkit-{name}"} | ({DIALECT} if name in OPENAI_STYLE else set())


#: ``reelkit[vertex]``: the veo distribution (it carries the vertex provider too) and google-auth,
#: which signs Vertex's OAuth assertions, with what google-auth needs.
GOOGLE_AUTH = {"google-auth", "cryptography", "cffi", "pycparser", "pyasn1", "pyasn1-modules"}
VERTEX = {"reelkit-veo"} | GOOGLE_AUTH

#: ``reelkit-core[fast]``: aiohttp (the AsyncClient's faster wire) and what it needs.
FAST = {"aiohttp", "aiohappyeyeballs", "aiosignal", "frozenlist", "multidict", "propcache", "yarl"}

# What each extra adds to its distribution alone: exactly the distributions it names.
CORE_EXTRAS: dict[str, set[str]] = {
    **{name: provider(name) for name in PROVIDERS},
    "vertex": VERTEX,
    "local": RENDERER,
    "all": set().union(*(provider(name) for name in PROVIDERS)) | VERTEX | RENDERER,
    "postgres": POSTGRES,
    "webhooks": {"standardwebhooks"},
    "fast": FAST,
}
META_EXTRAS: dict[str, set[str]] = {
    **{name: provider(name) for name in PROVIDERS},
    "vertex": VERTEX,
    "all": set().union(*(provider(name) for name in PROVIDERS)) | VERTEX,
    "emulator": {"reelkit-emulator", "starlette", "uvicorn", "python-multipart"},
    "postgres": POSTGRES,
    "fast": FAST,
}


def members() -> dict[str, Path]:
    """Every distribution of the workspace (the root's `reelkit` included) -> its directory."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = {root["project"]["name"]: ROOT}
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for directory in sorted(ROOT.glob(pattern)):
            project = tomllib.loads((directory / "pyproject.toml").read_text())["project"]
            found[project["name"]] = directory
    return found


@pytest.fixture(scope="module")
def uv() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``uv(*args)``: uv, offline (only its cache), run in the checkout, failing loudly."""
    binary = os.environ.get("UV") or shutil.which("uv")
    if binary is None:
        pytest.skip("uv is not installed")
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    env["UV_OFFLINE"] = "1"

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [binary, *args],
            cwd=ROOT,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"uv {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    return run


@pytest.fixture(scope="module")
def dist(
    uv: Callable[..., subprocess.CompletedProcess[str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Every distribution built once: the sdist, then the wheel from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    uv("build", "--all-packages", "--offline", "-o", str(out))
    return out


@pytest.fixture(scope="module")
def install(
    uv: Callable[..., subprocess.CompletedProcess[str]], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., tuple[Path, set[str]]]:
    """``install(distribution, *extras)`` -> (a fresh environment holding it, the names in it)."""
    done: dict[tuple[str, ...], tuple[Path, set[str]]] = {}

    def run(distribution: str, *extras: str) -> tuple[Path, set[str]]:
        key = (distribution, *sorted(extras))
        if key not in done:
            venv = tmp_path_factory.mktemp("venv")
            flags = [f"--extra={extra}" for extra in extras]
            uv("venv", "--quiet", "--python", sys.executable, str(venv))
            uv(
                "sync", "--locked", "--offline", "--no-editable", "--no-default-groups",
                f"--package={distribution}", *flags, "--python", sys.executable,
                UV_PROJECT_ENVIRONMENT=str(venv),
            )  # fmt: skip
            listed = uv("pip", "list", "--python", str(venv), "--format", "json").stdout
            done[key] = venv, {canonicalize_name(p["name"]) for p in json.loads(listed)}
        return done[key]

    return run


def executable(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


# --- (1) one command: the batteries-included CLI with the offline renderer ----------------------


def test_reelkit_is_the_cli_with_the_offline_renderer_and_no_provider(
    install: Callable[..., tuple[Path, set[str]]], tmp_path: Path
) -> None:
    venv, names = install("reelkit")
    assert {"reelkit", "reelkit-core"} | CLI | RENDERER <= names
    assert {n for n in names if n.startswith("reelkit")} == {
        "reelkit", "reelkit-core", "reelkit-cli", "reelkit-local"
    }  # fmt: skip
    assert not POSTGRES & names
    # It renders, offline, with nothing but what it installed.
    out = tmp_path / "robot.mp4"
    env = {"PATH": os.environ.get("PATH", ""), "REELKIT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [executable(venv, "reelkit"), "generate", "A robot", "-d", "1", "-o", str(out), "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["provider"] == "local"
    assert out.read_bytes()[4:8] == b"ftyp"


# --- (2) a host application: the core and the providers it names, nothing else -----------------


def test_a_host_application_gets_the_core_and_its_providers_only(
    install: Callable[..., tuple[Path, set[str]]],
) -> None:
    _, core = install("reelkit-core")
    venv, names = install("reelkit-core", "veo", "jimeng")
    assert names == core | {"reelkit-veo", "reelkit-jimeng"}
    assert not (CLI | RENDERER) & names
    script = (
        "from importlib.metadata import entry_points; import reelkit; "
        "print(sorted(e.name for e in entry_points(group='reelkit')))"
    )
    done = subprocess.run(
        [executable(venv, "python"), "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # reelkit-veo carries two providers: veo (Gemini API) and vertex (Vertex AI).
    assert done.stdout.strip() == "['jimeng', 'veo', 'vertex']"


def test_the_core_alone_brings_no_plugin_cli_or_video_library(
    install: Callable[..., tuple[Path, set[str]]],
) -> None:
    _, names = install("reelkit-core")
    assert {n for n in names if n.startswith("reelkit")} == {"reelkit-core"}
    assert not (CLI | RENDERER | POSTGRES) & names


# --- (3) each extra adds exactly what it names ----------------------------------------------------


@pytest.mark.parametrize(
    ("distribution", "extra", "adds"),
    [
        pytest.param(distribution, extra, adds, id=f"{distribution}[{extra}]")
        for distribution, extras in (("reelkit-core", CORE_EXTRAS), ("reelkit", META_EXTRAS))
        for extra, adds in extras.items()
    ],
)
def test_each_extra_adds_exactly_what_it_names(
    install: Callable[..., tuple[Path, set[str]]], distribution: str, extra: str, adds: set[str]
) -> None:
    _, alone = install(distribution)
    _, names = install(distribution, extra)
    assert alone <= names
    assert names - alone == adds


def test_the_mcp_extra_adds_the_server_and_no_other_reelkit_part(
    install: Callable[..., tuple[Path, set[str]]],
) -> None:
    # The SDK's own dependency tree (pydantic, jsonschema, ...) moves with its releases: what is
    # pinned here is that it brings the server, the SDK and nothing else of reelkit's.
    _, alone = install("reelkit")
    _, names = install("reelkit", "mcp")
    added = names - alone
    assert {"reelkit-mcp", "mcp"} <= added
    assert {n for n in added if n.startswith("reelkit")} == {"reelkit-mcp"}
    assert not added & (RENDERER | POSTGRES)


def test_the_gateway_extra_adds_the_gateway_and_no_other_reelkit_part(
    install: Callable[..., tuple[Path, set[str]]],
) -> None:
    _, alone = install("reelkit")
    _, names = install("reelkit", "gateway")
    added = names - alone
    assert {"reelkit-gateway", "standardwebhooks", "prometheus-client", "starlette"} <= added
    assert {n for n in added if n.startswith("reelkit")} == {"reelkit-gateway"}
    assert not added & (RENDERER | POSTGRES)


# --- the artifacts ---------------------------------------------------------------------------------


def wheel_metadata(dist: Path, name: str) -> email.message.Message:
    (wheel,) = dist.glob(f"{name.replace('-', '_')}-{VERSION}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{name.replace('-', '_')}-{VERSION}.dist-info/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def first_party(metadata: email.message.Message, extra: str | None) -> set[str]:
    """The reelkit distributions a wheel requires with ``extra`` (None: without any)."""
    names = set()
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if not requirement.name.startswith("reelkit"):
            continue
        marker = requirement.marker
        wanted = (
            marker is None
            if extra is None
            else marker is not None and marker.evaluate({"extra": extra})
        )
        if wanted:
            assert str(requirement.specifier) == f"=={VERSION}", f"{line}: not in lockstep"
            names.add(requirement.name + "".join(f"[{e}]" for e in sorted(requirement.extras)))
    return names


def test_every_distribution_is_built(dist: Path) -> None:
    expected = {name.replace("-", "_") for name in members()}
    assert {p.name.split("-")[0] for p in dist.glob("*.whl")} == expected
    assert {p.name.split("-")[0] for p in dist.glob("*.tar.gz")} == expected


def test_the_wheels_metadata_asks_for_what_the_extras_name(dist: Path) -> None:
    core = wheel_metadata(dist, "reelkit-core")
    assert set(core.get_all("Provides-Extra") or []) == set(CORE_EXTRAS)
    assert first_party(core, None) == set()
    every = {f"reelkit-{name}" for name in PROVIDERS}
    for extra in PROVIDERS:
        assert first_party(core, extra) == {f"reelkit-{extra}"}
    assert first_party(core, "local") == {"reelkit-local"}
    assert first_party(core, "vertex") == {"reelkit-veo[vertex]"}
    assert first_party(core, "all") == every | {"reelkit-veo[vertex]", "reelkit-local"}
    assert first_party(core, "postgres") == set()
    assert first_party(core, "webhooks") == set()
    assert first_party(core, "fast") == set()
    meta = wheel_metadata(dist, "reelkit")
    assert set(meta.get_all("Provides-Extra") or []) == set(META_EXTRAS) | {
        "mcp",
        "gateway",
        "worker",
    }
    assert first_party(meta, None) == {"reelkit-core", "reelkit-cli", "reelkit-local"}
    assert first_party(meta, "postgres") == {"reelkit-core[postgres]"}
    assert first_party(meta, "fast") == {"reelkit-core[fast]"}
    for extra in PROVIDERS:
        assert first_party(meta, extra) == {f"reelkit-{extra}"}
    assert first_party(meta, "vertex") == {"reelkit-veo[vertex]"}
    assert first_party(meta, "all") == every | {"reelkit-veo[vertex]"}
    assert first_party(meta, "emulator") == {"reelkit-emulator"}
    assert first_party(meta, "gateway") == {"reelkit-gateway"}
    assert first_party(meta, "worker") == {"reelkit-worker", "reelkit-core[postgres]"}


def test_the_worker_extra_adds_the_worker_procrastinate_and_postgres_only(
    install: Callable[..., tuple[Path, set[str]]],
) -> None:
    _, alone = install("reelkit")
    _, names = install("reelkit", "worker")
    added = names - alone
    assert {"reelkit-worker", "procrastinate"} | POSTGRES <= added
    assert {n for n in added if n.startswith("reelkit")} == {"reelkit-worker"}
    assert not added & RENDERER


def test_sdists_ship_the_code_and_metadata_only(dist: Path) -> None:
    for name, directory in members().items():
        (sdist,) = dist.glob(f"{name.replace('-', '_')}-{VERSION}.tar.gz")
        with tarfile.open(sdist) as archive:
            files = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
        assert "uv.lock" not in files
        # hatchling adds the .gitignore it applied; the meta-distribution has its README.
        other = {f for f in files if not f.startswith("src/")}
        assert other == {"PKG-INFO", "pyproject.toml", ".gitignore"} | (
            {"README.md"} if directory == ROOT else set()
        ), name
        assert directory == ROOT or any(f.endswith(".py") for f in files), name


def test_the_openai_style_providers_need_the_dialect_and_no_other_provider(dist: Path) -> None:
    for name in OPENAI_STYLE:
        assert first_party(wheel_metadata(dist, f"reelkit-{name}"), None) == {
            "reelkit-core",
            DIALECT,
        }, name
    assert first_party(wheel_metadata(dist, DIALECT), None) == {"reelkit-core"}


def wheel_files(dist: Path, name: str) -> set[str]:
    (wheel,) = dist.glob(f"{name.replace('-', '_')}-{VERSION}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_dialect_is_no_provider_and_ships_no_test_helpers(dist: Path) -> None:
    files = wheel_files(dist, DIALECT)
    info = f"{DIALECT.replace('-', '_')}-{VERSION}.dist-info"
    assert f"{info}/entry_points.txt" not in files  # not a plugin: nothing for pluggy to load
    code = {f for f in files if not f.startswith(info)}
    assert code == {
        f"reelkit_openai_videos/{m}"
        for m in (
            "__init__.py",
            "dialect.py",
            "kling.py",
            "plugin.py",
            "py.typed",
            "shapes.py",
            "sora.py",
        )
    }


def test_no_wheel_ships_test_fixtures_or_helpers(dist: Path) -> None:
    for name in members():
        for path in wheel_files(dist, name):
            leaf = path.rsplit("/", 1)[-1]
            assert not (
                leaf.startswith("test_") or "fixtures" in path or "/tests/" in f"/{path}"
            ), (name, path)
