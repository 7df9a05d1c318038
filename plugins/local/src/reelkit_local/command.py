"""``reelkit concat``: join clips (or a batch's delivered shots) into one video, hard cuts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


@click.command()
@click.argument("output", type=click.Path(dir_okay=False))
@click.argument("clips", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="A batch's manifest.json: join its delivered shots, in the list's order.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def concat(output: str, clips: tuple[str, ...], manifest: str | None, as_json: bool) -> None:
    """Join CLIPs into OUTPUT with hard cuts (stream copy when they match, else re-encoded)."""
    from reelkit.errors import InvalidRequest, ReelkitError

    from .concat import join

    try:
        if manifest and clips:
            raise InvalidRequest("clips", "give clips or --manifest, not both")
        paths = list(clips) if clips else _from_manifest(manifest)
        joined = join(paths, output)
    except ReelkitError as exc:
        if as_json:
            click.echo(json.dumps(exc.to_dict()))
        click.echo(f"reelkit: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    data = {
        "path": joined.path,
        "duration": round(joined.duration, 3),
        "stream_copy": joined.copied,
        "clips": [{"path": c.path, "duration": round(c.duration, 3)} for c in joined.clips],
    }
    if as_json:
        click.echo(json.dumps(data))
        return
    how = "stream copy" if joined.copied else "re-encoded to the first clip's size and rate"
    click.echo(f"{joined.path}: {len(joined.clips)} clips, {joined.duration:.2f} s ({how})")


def _from_manifest(manifest: str | None) -> list[str]:
    from reelkit.errors import InvalidRequest

    if not manifest:
        raise InvalidRequest("clips", "name the clips to join, or --manifest FILE")
    try:
        data: Any = json.loads(Path(manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidRequest("manifest", f"cannot read {manifest}: {exc}") from None
    shots = data.get("shots") if isinstance(data, dict) else None
    if not isinstance(shots, list):
        raise InvalidRequest("manifest", f"{manifest} is not a batch manifest (no shots)")
    missing = [s.get("id") for s in shots if not s.get("path")]
    if missing:
        raise InvalidRequest("manifest", f"shots not delivered yet: {', '.join(map(str, missing))}")
    base = Path(manifest).parent
    return [
        str(base / s["path"]) if not Path(s["path"]).is_absolute() else s["path"] for s in shots
    ]
