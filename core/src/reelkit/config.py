"""Settings: arguments beat environment, environment beats files (docs/design.md §1.6).

Files: ``$REELKIT_HOME/config.toml`` then ``./reelkit.toml`` (the nearer one wins), e.g.::

    [providers.sora]
    base_url = "https://my-gateway.example/v1"
    default_model = "sora-2-pro"
    poll_interval = 3
    timeout = 900

    [providers.newapi.models."sora-2".price]   # a gateway's own price list
    currency = "USD"
    per_second = 0.12
    source = "https://my-gateway.example/pricing"

    [exchange_rates]   # for budgets across currencies: 1 CNY = 0.14 of the budget's currency
    CNY = 0.14
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import _secrets
from .capabilities import Choices, ModelInfo, ProviderInfo, Range
from .errors import InvalidRequest
from .models import Credentials, ProviderConfig

if TYPE_CHECKING:
    from .budget import Budget


#: The values of ``REELKIT_TRANSPORT`` (see ``Settings.transport``).
TRANSPORTS = ("auto", "httpx", "aiohttp")


def default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("reelkit", appauthor=False))


@attrs.frozen(kw_only=True)
class Settings:
    """Where reelkit keeps its state, what the config files say, and the environment.

    Creating one registers every secret value it holds (``secret_values``) for masking, so an
    error or a log line never shows a key, even before a job starts. ``repr`` shows the home,
    the files read, the timings and the *names* of the ``REELKIT_*`` variables set: no value of
    the environment or of the files.
    """

    home: Path
    env: Mapping[str, str]
    files: Mapping[str, Any] = attrs.field(factory=dict)
    poll_interval: float | None = None  # REELKIT_POLL_INTERVAL or an argument: every provider
    timeout: float | None = None  # REELKIT_TIMEOUT or an argument: the overall wait deadline
    sources: tuple[Path, ...] = ()  # the config files that were read, in order
    # Each provider's resolved config: a pure function of these (frozen) settings, asked for by
    # every job, so one object serves them all (id -> (info, config); info is held so that an
    # id is never reused for another).
    _configs: dict[int, tuple[ProviderInfo, ProviderConfig]] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        _secrets.remember(self.secret_values())

    def __repr__(self) -> str:
        names = sorted(k for k in self.env if k.upper().startswith("REELKIT_"))
        text = (
            f"Settings(home={str(self.home)!r}, sources={[str(p) for p in self.sources]!r}, "
            f"poll_interval={self.poll_interval!r}, timeout={self.timeout!r}, env={names!r})"
        )
        return _secrets.scrub_text(text)

    __str__ = __repr__

    def secret_values(self, names: Iterable[str] = ()) -> tuple[str, ...]:
        """Every value here that is, or holds, a credential — to register for masking.

        * every variable named in ``names`` (e.g. the ``credential_env`` a provider declares);
        * every variable whose name ends in ``_KEY``, ``_APIKEY``, ``_SECRET``, ``_SECRETKEY``,
          ``_ACCESSKEY``, ``_TOKEN``, ``_PASSWORD`` or ``_PASSWD`` (case-insensitive): this
          covers every first-party provider (``XAI_API_KEY``, ``VOLC_SECRETKEY``, ...) and most
          third-party ones without knowing them;
        * the credentials inside any URL-valued variable (``*_URL``, ``*_URI``, ``*_PROXY``, or
          any value with ``://``): the userinfo password, secret query values (``?key=``);
        * the same in the config files: values under secret-looking keys, credentials in URLs.

        Values found by name only are ignored when shorter than 6 characters (``*_TOKEN=true``
        must not mask the word "true" everywhere).
        """
        found = dict.fromkeys(_secrets.env_secrets(self.env, names))
        found.update(dict.fromkeys(_file_secrets(self.files)))
        return tuple(found)

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        home: str | os.PathLike[str] | None = None,
        poll_interval: float | None = None,
        timeout: float | None = None,
        cwd: Path | None = None,
    ) -> Settings:
        env = dict(os.environ if env is None else env)
        home_path = (
            Path(home)
            if home is not None
            else Path(env["REELKIT_HOME"])
            if env.get("REELKIT_HOME")
            else default_home()
        )
        files: dict[str, Any] = {}
        sources: list[Path] = []
        for path in (home_path / "config.toml", (cwd or Path.cwd()) / "reelkit.toml"):
            if path.is_file():
                sources.append(path)
            _merge(files, _read_toml(path))
        return cls(
            home=home_path,
            env=env,
            files=files,
            sources=tuple(sources),
            poll_interval=poll_interval
            if poll_interval is not None
            else _env_float(env, "REELKIT_POLL_INTERVAL"),
            timeout=timeout if timeout is not None else _env_float(env, "REELKIT_TIMEOUT"),
        )

    def transport(self) -> str:
        """The wire ``AsyncClient`` sends remote requests on: ``"aiohttp"`` or ``"httpx"``.

        ``REELKIT_TRANSPORT``, else ``transport`` at the top of a config file, else ``auto``:
        aiohttp when it is installed (``reelkit-core[fast]``), httpx otherwise. The sync
        ``Client`` always uses httpx.
        """
        raw = self.env.get("REELKIT_TRANSPORT") or self.files.get("transport") or "auto"
        name = str(raw).strip().lower()
        if name not in TRANSPORTS:
            raise InvalidRequest(
                "REELKIT_TRANSPORT", f"{raw!r} is not one of {', '.join(TRANSPORTS)}"
            )
        if name == "auto":
            from .aiohttp_transport import available

            return "aiohttp" if available() else "httpx"
        if name == "aiohttp":
            from .aiohttp_transport import available

            if not available():
                raise InvalidRequest(
                    "REELKIT_TRANSPORT",
                    "aiohttp is not installed: pip install 'reelkit-core[fast]', or use httpx",
                )
        return name

    def provider_section(self, name: str) -> Mapping[str, Any]:
        section = self.files.get("providers", {}).get(name, {})
        return section if isinstance(section, Mapping) else {}

    def provider_config(self, info: ProviderInfo) -> ProviderConfig:
        cached = self._configs.get(id(info))
        if cached is not None and cached[0] is info:
            return cached[1]
        config = self._resolve(info)
        self._configs[id(info)] = (info, config)
        return config

    def _resolve(self, info: ProviderInfo) -> ProviderConfig:
        section = self.provider_section(info.name)
        base_url = next((self.env[k] for k in info.base_url_envs if self.env.get(k)), None)
        base_url = base_url or section.get("base_url") or info.base_url
        poll = self.poll_interval
        if poll is None and info.poll_interval_env:
            poll = _env_float(self.env, info.poll_interval_env)
        if poll is None and "poll_interval" in section:
            poll = float(section["poll_interval"])
        max_polls = _env_int(self.env, info.max_polls_env) if info.max_polls_env else None
        if max_polls is None:
            max_polls = section.get("max_polls", info.max_polls)
        http_timeout = _env_float(self.env, info.timeout_env) if info.timeout_env else None
        options = {k: v for k, v in section.items() if k not in _KNOWN_KEYS}
        options.update({o: self.env[e] for o, e in info.option_env if self.env.get(e, "").strip()})
        options.setdefault("state_dir", str(self.home / info.name))
        return ProviderConfig(
            name=info.name,
            base_url=str(base_url or ""),
            poll_interval_s=poll if poll is not None else info.poll_interval_s,
            timeout_s=self.timeout
            if self.timeout is not None
            else float(section.get("timeout", info.timeout_s)),
            max_polls=int(max_polls) if max_polls is not None else None,
            http_timeout_s=http_timeout
            if http_timeout is not None
            else float(section.get("http_timeout", info.http_timeout_s)),
            options=options,
        )

    def max_concurrency(self, info: ProviderInfo) -> int:
        """A batch's jobs in flight at once for this provider: config, plugin data, default."""
        from .capabilities import DEFAULT_CONCURRENCY

        value = self.provider_section(info.name).get("max_concurrency")
        if value is None:
            return info.max_concurrency or DEFAULT_CONCURRENCY
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidRequest(
                f"providers.{info.name}.max_concurrency", f"{value!r}", allowed="an integer ≥ 1"
            )
        return value

    def default_model(self, info: ProviderInfo) -> str:
        return str(self.provider_section(info.name).get("default_model") or info.default_model)

    def credentials(self, info: ProviderInfo) -> Credentials | None:
        """The first alternative whose variables are all set, or None (empty = none needed)."""
        if not info.credential_env:
            return Credentials()
        for group in info.credential_env:
            values = {name: self.env.get(name, "") for name in group}
            if all(v.strip() for v in values.values()):
                return Credentials(values)
        return None

    def unusable(self, info: ProviderInfo) -> str | None:
        """Why auto-selection cannot use this provider now (no credentials, no endpoint), or None."""
        if self.credentials(info) is None:
            return "no " + " or ".join("+".join(group) for group in info.credential_env)
        if not self.provider_config(info).base_url:
            return f"no {info.base_url_envs[0]}"
        return None

    def budget(self, given: object = None) -> Budget | None:
        """The budget a job runs under: the argument, else ``REELKIT_MAX_COST``, else none."""
        from .budget import Budget

        if given is not None:
            return Budget.parse(given)
        text = self.env.get("REELKIT_MAX_COST", "").strip()
        return Budget.parse(text, "REELKIT_MAX_COST") if text else None

    def allow_unpriced(self, given: bool = False) -> bool:
        return given or self.env.get("REELKIT_ALLOW_UNPRICED", "").strip().lower() in _TRUE

    def exchange_rates(self) -> dict[str, float]:
        """``[exchange_rates]``: ``CNY = 0.14`` is 0.14 units of a budget's currency per CNY."""
        section = self.files.get("exchange_rates", {})
        if not isinstance(section, Mapping):
            raise InvalidRequest("config", "[exchange_rates] must be a table of CUR = rate")
        rates: dict[str, float] = {}
        for currency, rate in section.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
                raise InvalidRequest(
                    f"exchange_rates.{currency}", f"{rate!r} is not a rate", allowed="a number > 0"
                )
            rates[str(currency).upper()] = float(rate)
        return rates

    def override_model(self, provider: str, model: ModelInfo) -> ModelInfo:
        """Apply ``[providers.<name>.models."<id>"]`` capability overrides from the config files."""
        models = self.provider_section(provider).get("models", {})
        overrides = models.get(model.id) if isinstance(models, Mapping) else None
        if not overrides:
            return model
        where = f"providers.{provider}.models.{model.id}"
        unknown = set(overrides) - set(_MODEL_OVERRIDES)
        if unknown:
            raise InvalidRequest(
                "config",
                f"{where}: unknown keys {sorted(unknown)}",
                allowed=sorted(_MODEL_OVERRIDES),
            )
        scalars: dict[str, Any] = {}
        for key, value in overrides.items():
            field = _MODEL_OVERRIDES[key]
            if field is not None:
                scalars[field] = value
        if "price" in overrides:
            from .pricing import pricing_from_config

            scalars["price"] = pricing_from_config(overrides["price"], f"{where}.price")
        model = attrs.evolve(model, **scalars)
        variant_changes: dict[str, Any] = {}
        if "durations" in overrides:
            variant_changes["durations"] = _durations(overrides["durations"], where)
        for key in ("resolutions", "aspect_ratios"):
            if key in overrides:
                variant_changes[key] = tuple(str(v) for v in overrides[key])
        if variant_changes:
            modes = tuple(
                attrs.evolve(
                    spec, variants=tuple(attrs.evolve(v, **variant_changes) for v in spec.variants)
                )
                for spec in model.modes
            )
            model = attrs.evolve(model, modes=modes)
        return model


# Config key -> ModelInfo field (None: applied to every variant instead).
_MODEL_OVERRIDES: dict[str, str | None] = {
    "default_duration": "default_duration",
    "default_resolution": "default_resolution",
    "default_aspect_ratio": "default_aspect_ratio",
    "default_fps": "default_fps",
    "max_prompt_chars": "max_prompt_chars",
    "poll_interval": "poll_interval_s",
    "url_lifetime": "url_lifetime_s",
    "durations": None,
    "resolutions": None,
    "aspect_ratios": None,
    "price": None,
}

_TRUE = ("1", "true", "yes", "on")


def _durations(value: Any, where: str) -> Range | Choices:
    if isinstance(value, Mapping) and {"min", "max"} <= set(value):
        return Range(float(value["min"]), float(value["max"]), step=value.get("step"))
    if isinstance(value, (list, tuple)) and value:
        return Choices(tuple(float(v) for v in value))
    raise InvalidRequest(
        "config", f"{where}: durations must be a list of seconds or {{min, max, step}}"
    )


_KNOWN_KEYS = {
    "base_url",
    "default_model",
    "poll_interval",
    "timeout",
    "max_polls",
    "max_concurrency",
    "http_timeout",
    "models",
}


def _file_secrets(value: Any, key: str = "") -> Iterator[str]:
    """Credentials in the config files: values under secret-looking keys, and inside URLs."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _file_secrets(v, str(k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _file_secrets(v, key)
    elif isinstance(value, str) and value.strip():
        yield from _secrets.env_secrets({key.replace("-", "_"): value})


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = tomllib.load(f)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise InvalidRequest("config", f"{path} is not valid TOML: {exc}") from None


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _env_float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidRequest(name, f"{raw!r} is not a number of seconds") from None
    if value < 0:
        raise InvalidRequest(name, f"{raw!r} is negative")
    return value


def _env_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequest(name, f"{raw!r} is not a whole number") from None
