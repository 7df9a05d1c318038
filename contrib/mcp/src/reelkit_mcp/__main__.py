"""``python -m reelkit_mcp`` and the ``reelkit-mcp`` script: ``reelkit mcp`` without the CLI."""

from __future__ import annotations


def main() -> None:
    from .cli import command

    command().main(prog_name="reelkit-mcp")


if __name__ == "__main__":
    main()
