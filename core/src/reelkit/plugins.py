"""Plugin loading: entry points found without importing them, imported only when needed.

Each ``Client`` owns a fresh ``PluginHost`` (no module-global state). Entry points of the group
``reelkit`` are enumerated cheaply; a plugin is imported when its provider is used, or when all
providers are listed. Each import happens inside its own try/except: a broken plugin is recorded
(``reelkit plugins`` shows it) and never stops another provider, unless
``REELKIT_STRICT_PLUGINS=1`` asks for the error (for CI).

Environment switches: ``REELKIT_LOAD_PLUGINS=a,b`` (allow-list of entry-point names),
``REELKIT_DISABLE_PLUGINS=x`` (deny-list), ``REELKIT_STRICT_PLUGINS=1``,
``REELKIT_TRACE_PLUGINS=1`` (print every hook call to stderr).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any

import attrs
import pluggy

from . import _builtin, hookspecs
from .capabilities import ModelInfo, ProviderInfo
from .errors import InvalidRequest, PluginError, UnknownModel, UnknownProvider

GROUP = "reelkit"

#: The first-party providers and their aliases. Each ships as the distribution
#: ``reelkit-<name>``, every remote one also as the extra ``reelkit[<name>]`` of the
#: meta-distribution: what a missing one tells the user to install.
FIRST_PARTY: Mapping[str, tuple[str, ...]] = {
    "local": (),
    "grok": ("xai",),
    "veo": ("google", "gemini"),
    "sora": ("openai",),
    "seedance": ("ark", "doubao"),
    "jimeng": ("volcengine",),
    "qiniu": ("kling",),
    "newapi": ("gateway",),
    "runway": ("runwayml",),
}


def first_party(name: str) -> str | None:
    """The first-party provider a name or alias belongs to, or None."""
    key = name.strip().lower()
    for provider, aliases in FIRST_PARTY.items():
        if key == provider or key in aliases:
            return provider
    return None


def install_command(provider: str) -> str:
    """``pip install reelkit-veo`` (or ``pip install "reelkit[veo]"``)."""
    if provider == "local":  # the offline renderer comes with `pip install reelkit` itself
        return "`pip install reelkit-local`"
    return f'`pip install reelkit-{provider}` (or `pip install "reelkit[{provider}]"`)'


NO_PROVIDER = (
    "no provider plugin is installed: `pip install reelkit-local` renders offline with no key, "
    '`pip install reelkit-veo` or `pip install "reelkit[veo]"` (likewise grok, sora, seedance, '
    "jimeng, qiniu, newapi) adds a provider"
)


@attrs.frozen(kw_only=True)
class PluginRecord:
    """What ``reelkit plugins`` shows for one plugin."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    loaded: bool = False
    hooks: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class RegisteredProvider:
    info: ProviderInfo
    models: tuple[ModelInfo, ...]
    plugin: object
    plugin_name: str

    def model(self, name: str | None) -> ModelInfo:
        wanted = name or self.info.default_model
        for model in self.models:
            if wanted in model.names():
                return model
        raise UnknownModel(self.info.name, wanted, [n for m in self.models for n in m.names()])


def _installed(distribution: str) -> bool:
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _split(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}


class PluginHost:
    """A plugin manager with the reelkit hook specs, lazy entry points and provider registry."""

    def __init__(
        self,
        *,
        plugins: Sequence[object] = (),
        entry_points: bool = True,
        env: Mapping[str, str] | None = None,
        adjust_model: Callable[[str, ModelInfo], ModelInfo] | None = None,
    ) -> None:
        import os

        env = os.environ if env is None else env
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.pm.register(_builtin, name="reelkit.builtin")
        self.strict = _truthy(env.get("REELKIT_STRICT_PLUGINS"))
        if _truthy(env.get("REELKIT_TRACE_PLUGINS")):
            self.pm.trace.root.setwriter(sys.stderr.write)
            self.pm.enable_tracing()
        self.records: dict[str, PluginRecord] = {}
        self.providers: dict[str, RegisteredProvider] = {}
        self._aliases: dict[str, str] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        self._pending: dict[str, metadata.EntryPoint] = {}
        self._adjust_model = adjust_model  # capability overrides from the config files
        self._left_out: dict[str, str] = {}  # entry points the environment leaves out, and why
        self._entry_points = entry_points
        if entry_points:
            allow = _split(env.get("REELKIT_LOAD_PLUGINS"))
            deny = _split(env.get("REELKIT_DISABLE_PLUGINS"))
            for ep in metadata.entry_points(group=GROUP):
                if allow and ep.name not in allow:
                    self._left_out[ep.name] = f"REELKIT_LOAD_PLUGINS={env['REELKIT_LOAD_PLUGINS']}"
                    continue
                if ep.name in deny:
                    self._left_out[ep.name] = (
                        f"REELKIT_DISABLE_PLUGINS={env['REELKIT_DISABLE_PLUGINS']}"
                    )
                    continue
                if ep.name in self._pending:
                    continue
                self._pending[ep.name] = ep
                dist = getattr(ep, "dist", None)
                self.records[ep.name] = PluginRecord(
                    name=ep.name,
                    module=ep.value,
                    distribution=dist.name if dist else None,
                    version=dist.version if dist else None,
                )
        for plugin in plugins:
            self.add(plugin)

    # --- loading -------------------------------------------------------------------------

    def add(self, plugin: object, name: str | None = None, distribution: str | None = None) -> None:
        """Register a plugin object (module or instance), e.g. an inline test plugin."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        record = self.records.get(name) or PluginRecord(
            name=name,
            module=getattr(plugin, "__name__", repr(plugin)),
            distribution=distribution,
            version=None,
        )
        try:
            self.pm.register(plugin, name=name)
            self._check(plugin)
            providers = self._collect(plugin, name, record.distribution)
        except InvalidRequest:
            # The user's config is wrong about this plugin's models, not the plugin: say which
            # key, rather than hide the provider behind a load error.
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            raise
        except Exception as exc:  # a broken plugin is reported, not fatal
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self.records[name] = attrs.evolve(
                record, loaded=False, error=f"{type(exc).__name__}: {exc}"
            )
            if self.strict:
                raise
            return
        hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
        self.records[name] = attrs.evolve(
            record, loaded=True, hooks=hooks, providers=providers, error=None
        )
        self._callers.clear()

    def load(self, names: Iterable[str] | None = None) -> None:
        """Import and register entry points: the named ones, or all still pending."""
        wanted = list(self._pending) if names is None else [n for n in names if n in self._pending]
        for name in wanted:
            ep = self._pending.pop(name)
            try:
                plugin = ep.load()
            except Exception as exc:
                self.records[name] = attrs.evolve(
                    self.records[name], error=f"{type(exc).__name__}: {exc}"
                )
                if self.strict:
                    raise PluginError(
                        f"plugin {name!r} ({ep.value}) failed to import: {exc}"
                    ) from exc
                continue
            self.add(plugin, name=name)

    def load_all(self) -> None:
        self.load(None)

    def _check(self, plugin: object) -> None:
        # pluggy's check_pending, for this plugin only: a misspelt hook name is a load error.
        for caller in self.pm.get_hookcallers(plugin) or ():
            if not caller.has_spec():
                raise PluginError(f"unknown hook {caller.name!r} (misspelt?)")

    def _collect(self, plugin: object, name: str, distribution: str | None) -> tuple[str, ...]:
        found: list[tuple[ProviderInfo, tuple[ModelInfo, ...]]] = []

        def register(provider: ProviderInfo, models: Sequence[ModelInfo]) -> None:
            found.append((provider, tuple(models)))

        for impl in self.pm.hook.reelkit_register_providers.get_hookimpls():
            if impl.plugin is plugin:
                impl.function(register=register)
        # Check every claim first, so a duplicate registers nothing of this plugin. Of two
        # claimants, the one whose entry point bears the provider's name keeps it (as lazy
        # loading by name would pick it); otherwise the first loaded does. Both are named.
        me = distribution or name
        for provider, _ in found:
            for claim in provider.names():
                owner = self._aliases.get(claim)
                if owner is None:
                    continue
                other = self.providers[owner].plugin_name
                if name == provider.name and other != owner:
                    self._evict(
                        owner,
                        f"provider name {claim!r} is also claimed by {me}, whose entry point bears it; {self._dist_of(other)} was not loaded",
                    )
                    continue
                raise PluginError(
                    f"provider name {claim!r} is claimed by both {self._dist_of(other)} and {me}; {me} was not loaded"
                )
        if self._adjust_model is not None:
            adjust = self._adjust_model
            found = [(p, tuple(adjust(p.name, m) for m in ms)) for p, ms in found]
        for provider, models in found:
            self.providers[provider.name] = RegisteredProvider(
                info=provider, models=models, plugin=plugin, plugin_name=name
            )
            for claim in provider.names():
                self._aliases[claim] = provider.name
        return tuple(p.name for p, _ in found)

    def _evict(self, provider: str, why: str) -> None:
        registered = self.providers.pop(provider)
        for claim in registered.info.names():
            self._aliases.pop(claim, None)
        record = self.records.get(registered.plugin_name)
        if record is not None:
            remaining = tuple(p for p in record.providers if p != provider)
            self.records[registered.plugin_name] = attrs.evolve(
                record, providers=remaining, error=why
            )
            if not remaining and self.pm.is_registered(registered.plugin):
                self.pm.unregister(registered.plugin)
        self._callers.clear()

    def _dist_of(self, plugin_name: str) -> str:
        record = self.records.get(plugin_name)
        return (record.distribution if record else None) or plugin_name

    # --- lookup --------------------------------------------------------------------------

    def provider(self, name: str) -> RegisteredProvider:
        """A provider by name or alias, importing only its plugin when the name is an entry point."""
        key = name.strip().lower()
        if key not in self._aliases and key in self._pending:
            self.load([key])
        if key not in self._aliases:
            self.load_all()  # an alias, or a plugin whose entry-point name differs
        if key not in self._aliases:
            broken = self.records.get(key)
            if broken is not None and broken.error:  # say why, not just "unknown"
                raise PluginError(
                    f"provider {name!r} is installed but its plugin failed: {broken.error}"
                )
            raise UnknownProvider(name, self._aliases, hint=self._missing(name))
        return self.providers[self._aliases[key]]

    def _missing(self, name: str) -> str | None:
        """How to get a provider no plugin provides here; None for a name nobody ships."""
        key = name.strip().lower()
        provider = first_party(key)
        entry = provider or key
        named = f"({provider}) " if provider and provider != key else ""
        if entry in self._left_out:
            return f"{named}is installed but not loaded: {self._left_out[entry]} leaves it out"
        if provider is None:
            return None
        if not self._entry_points and _installed(f"reelkit-{provider}"):
            return (
                f"{named}is installed, but this client loads no entry points (entry_points=False)"
            )
        return f"{named}is not installed: {install_command(provider)} adds it"

    def all_providers(self) -> list[RegisteredProvider]:
        self.load_all()
        return sorted(self.providers.values(), key=lambda p: (p.info.priority, p.info.name))

    def caller(self, provider: str, hook: str) -> Any:
        """The hook caller scoped to one provider's plugin (and plugins that own no provider)."""
        key = (provider, hook)
        if key not in self._callers:
            own = self.providers[provider].plugin
            others = {p.plugin for p in self.providers.values() if p.plugin is not own}
            self._callers[key] = self.pm.subset_hook_caller(hook, remove_plugins=others)
        return self._callers[key]

    def call(self, provider: str, hook: str, **kwargs: Any) -> Any:
        return self.caller(provider, hook)(provider=provider, **kwargs)

    @property
    def hook(self) -> Any:
        """Broadcast hooks (events, commands)."""
        return self.pm.hook
