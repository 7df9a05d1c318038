"""The ``reelkit serve`` verb, added to the reelkit CLI through ``reelkit_register_commands``
(entry point group ``reelkit``), as a third-party distribution would add it.

Nothing heavy is imported here: click, Starlette and uvicorn load only when the verb is built or run.
"""

from __future__ import annotations

from typing import Any

from reelkit.hookspecs import hookimpl


@hookimpl
def reelkit_register_commands(cli: Any) -> None:
    from .cli import command

    cli.add_command(command())
