"""The ``reelkit worker`` verb, added to the reelkit CLI through ``reelkit_register_commands``
(entry point group ``reelkit``). Nothing heavy is imported until the verb is built or run."""

from __future__ import annotations

from typing import Any

from reelkit.hookspecs import hookimpl


@hookimpl
def reelkit_register_commands(cli: Any) -> None:
    from .cli import command

    cli.add_command(command())
