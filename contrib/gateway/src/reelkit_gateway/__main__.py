"""``python -m reelkit_gateway`` / ``reelkit-gateway``: the ``reelkit serve`` verb on its own."""

from __future__ import annotations


def main() -> None:
    from .cli import command

    command()(prog_name="reelkit-gateway")


if __name__ == "__main__":
    main()
