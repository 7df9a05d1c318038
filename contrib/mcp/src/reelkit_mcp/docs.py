"""The tool reference of docs/mcp.md, generated from the live server's ``tools/list``.

``python -m reelkit_mcp.docs [PATH]`` rewrites the block between ``<!-- mcp-tools -->`` and
``<!-- /mcp-tools -->`` (default: ``docs/mcp.md``); a test fails when the page is out of date.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

START, END = "<!-- mcp-tools -->", "<!-- /mcp-tools -->"


async def list_tools() -> list[Any]:
    """The tools as an MCP client sees them (in-process: the same listing as over a wire)."""
    from mcp import Client

    from .server import build
    from .service import Service

    with tempfile.TemporaryDirectory() as folder:
        # A throwaway home: listing tools touches no journal, and must not create one anywhere.
        env = {**os.environ, "REELKIT_HOME": str(Path(folder) / "home")}
        server = build(Service(output_dir=Path(folder) / "videos", env=env))
        async with Client(server) as client:
            return list((await client.list_tools()).tools)


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        kinds = [_type(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " | ".join(kinds)
    if "enum" in schema:
        return " | ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"{_type(schema.get('items', {}))}[]"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return str(kind or "any")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def tool_reference(tools: list[Any]) -> str:
    out: list[str] = []
    shown: dict[str, str] = {}  # result schema title -> the first tool documenting it
    for tool in tools:
        hints = tool.annotations
        flags = []
        if hints is not None:
            if hints.read_only_hint:
                flags.append("read-only")
            if hints.destructive_hint:
                flags.append("destructive")
            if hints.idempotent_hint:
                flags.append("idempotent")
        out += [f"### `{tool.name}`", ""]
        out += [" ".join(line.strip() for line in (tool.description or "").splitlines()), ""]
        if flags:
            out += [f"Hints: {', '.join(flags)}.", ""]
        props: dict[str, Any] = tool.input_schema.get("properties", {})
        required = set(tool.input_schema.get("required", ()))
        if props:
            out += ["| argument | type | default | description |", "|---|---|---|---|"]
            for name, prop in props.items():
                default = "required" if name in required else f"`{prop.get('default')!r}`"
                default = default.replace("`None`", "`null`").replace("`False`", "`false`")
                out.append(
                    f"| `{name}` | {_cell(_type(prop))} | {default} | "
                    f"{_cell(prop.get('description', ''))} |"
                )
        else:
            out.append("No arguments.")
        output: dict[str, Any] = tool.output_schema or {}
        title = output.get("title", "")
        if title in shown:  # one table per result shape
            out += ["", f"Result: `{title}`, as for [`{shown[title]}`](#{shown[title]}).", ""]
            continue
        shown[title] = tool.name
        out += ["", f"Result (`structuredContent`): `{title}`", ""]
        out += ["| field | type | description |", "|---|---|---|"]
        for name, prop in output.get("properties", {}).items():
            out.append(
                f"| `{name}` | {_cell(_type(prop))} | {_cell(prop.get('description', ''))} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render(page: str, tools: list[Any]) -> str:
    block = f"{START}\n\n{tool_reference(tools)}\n{END}"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(page):
        raise ValueError(f"no {START} ... {END} block in the page")
    return pattern.sub(lambda _: block, page)


def main(argv: list[str] | None = None) -> None:
    import anyio

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "docs/mcp.md")
    tools = anyio.run(list_tools)
    path.write_text(render(path.read_text(encoding="utf-8"), tools), encoding="utf-8")


if __name__ == "__main__":
    main()
