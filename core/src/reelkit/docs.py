"""Capability tables generated from the data, for ``reelkit capabilities`` and ``docs/providers``.

``python -m reelkit.docs`` rewrites the block between ``<!-- capability-table -->`` and
``<!-- /capability-table -->`` in every ``docs/providers/<name>.md`` from the installed plugins;
a test fails when a page is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from .capabilities import DEFAULT_CONCURRENCY, ModelInfo, ProviderInfo

START, END = "<!-- capability-table -->", "<!-- /capability-table -->"


def capability_rows(model: ModelInfo) -> list[dict[str, str]]:
    rows = []
    for spec in model.modes:
        for variant in spec.variants:
            notes = [n for n in (spec.note, variant.note) if n]
            if spec.max_reference_images:
                notes.append(f"up to {spec.max_reference_images} reference images")
            rows.append(
                {
                    "mode": spec.mode.value,
                    "resolutions": ", ".join(variant.resolutions),
                    "aspect_ratios": ", ".join(variant.aspect_ratios),
                    "durations": variant.durations.describe(),
                    "fps": ", ".join(map(str, variant.fps))
                    + ("" if model.fps_settable else " (fixed)"),
                    "notes": "; ".join(notes),
                }
            )
    return rows


def model_dict(model: ModelInfo) -> dict[str, Any]:
    from .serialization import unstructure

    data: dict[str, Any] = dict(unstructure(model))
    for spec, raw in zip(model.modes, data.get("modes", []), strict=True):
        for variant, raw_variant in zip(spec.variants, raw.get("variants", []), strict=True):
            raw_variant["durations"] = variant.durations.describe()
            raw_variant["sizes"] = {
                f"{r} {a}": variant.size_for(r, a)
                for r in variant.resolutions
                for a in variant.aspect_ratios
            }
    result: dict[str, Any] = _jsonable(data)
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def capability_table(provider: ProviderInfo, models: list[ModelInfo]) -> str:
    """Markdown: one table per model, generated from its capability records."""
    out = [
        f"Generated from the `{provider.name}` plugin's capability data by `python -m reelkit.docs`.",
        "",
        f"- Credentials: {' or '.join(' + '.join(f'`{v}`' for v in g) for g in provider.credential_env) or 'none'}",
        f"- Base URL: `{provider.base_url or '(none: set ' + provider.base_url_envs[0] + ')'}` "
        f"(override: {', '.join(f'`{e}`' for e in provider.base_url_envs)})",
        f"- Auto-selection priority: {provider.priority}; default model: `{provider.default_model}`",
        f"- Poll interval: {provider.poll_interval_s:g} s; deadline: {provider.timeout_s:g} s",
        f"- Jobs in flight in a batch: {provider.max_concurrency or DEFAULT_CONCURRENCY}"
        + ("" if provider.max_concurrency else " (reelkit's default: the provider documents none)")
        + " (config `max_concurrency`)",
    ]
    if provider.deprecation:
        out.append(f"- **Deprecation:** {provider.deprecation}")
    for model in models:
        aliases = (
            f" (aliases: {', '.join(f'`{a}`' for a in model.aliases)})" if model.aliases else ""
        )
        out += ["", f"### `{model.id}`{aliases}", ""]
        if model.title or model.notes:
            parts = (model.title.rstrip("."), model.notes.lstrip("—–- ").rstrip("."))
            out += [". ".join(p[:1].upper() + p[1:] for p in parts if p) + ".", ""]
        out += [
            "| mode | resolutions | aspect ratios | durations | fps | notes |",
            "|---|---|---|---|---|---|",
        ]
        for row in capability_rows(model):
            out.append(
                f"| {row['mode']} | {row['resolutions']} | {row['aspect_ratios']} | {row['durations']} | {row['fps']} | {row['notes']} |"
            )
        extras = [
            f"seed: {'yes' if model.supports_seed else 'no'}",
            f"negative prompt: {'yes' if model.supports_negative_prompt else 'no'}",
            f"audio: {model.audio.value}",
            f"image inputs: {', '.join(model.images.transports)} ({', '.join(model.images.formats)})",
        ]
        if model.max_prompt_chars:
            extras.append(f"prompt: up to {model.max_prompt_chars} characters")
        if model.url_lifetime_s:
            extras.append(f"result URL lives {model.url_lifetime_s / 3600:g} h")
        if model.deprecated_after:
            extras.append(f"deprecated after {model.deprecated_after.isoformat()}")
        out += ["", "; ".join(extras) + "."]
        if model.params:
            out += ["", "| `--param` | type | choices | meaning |", "|---|---|---|---|"]
            for param in model.params:
                choices = ", ".join(f"`{c}`" for c in param.choices) or "—"
                meaning = param.description.replace("|", "\\|") or "—"
                out.append(f"| `{param.name}` | {param.type} | {choices} | {meaning} |")
        out += ["", *price_table(model)]
    return "\n".join(out)


def price_table(model: ModelInfo) -> list[str]:
    """Markdown lines: the model's price rows, with their source and the date it was read."""
    from .pricing import money

    price = model.price
    if price is None:
        return ["Price: unknown (no published price); set one in the config to budget it."]
    lines = [
        f"Price ({price.currency}, read {price.as_of.isoformat()} from {_link(price.source)}):",
        "",
        "| applies to | rate | note |",
        "|---|---|---|",
    ]
    for rate in price.rates:
        amount = (
            "unknown (not published)"
            if rate.amount is None
            else f"{money(rate.amount, price.currency)} per {rate.unit.value}"
        )
        when = rate.describe() or "any"
        if rate.default and rate.params:
            when += " (also when unset)"
        lines.append(f"| {when} | {amount} | {rate.note.replace('|', '/') or '—'} |")
    if price.note:
        lines += ["", price.note]
    return lines


def _link(source: str) -> str:
    return f"<{source}>" if source.startswith("http") else f"`{source}`"


def render_page(text: str, table: str) -> str:
    block = f"{START}\n{table}\n{END}"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    if START in text:
        return text.replace(START, block, 1)
    return text.rstrip("\n") + "\n\n## Capabilities\n\n" + block + "\n"


def update_pages(docs: Path, *, check: bool = False) -> list[Path]:
    """Rewrite (or with ``check``, list) the provider pages whose tables are stale."""
    from .plugins import PluginHost

    host = PluginHost()
    stale = []
    for registered in host.all_providers():
        page = docs / "providers" / f"{registered.info.name}.md"
        text = page.read_text() if page.exists() else f"# {registered.info.title}\n"
        new = render_page(text, capability_table(registered.info, list(registered.models)))
        if new != text:
            stale.append(page)
            if not check:
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(new)
    return stale


if __name__ == "__main__":  # pragma: no cover
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    for page in update_pages(root):
        print(f"updated {page}")
