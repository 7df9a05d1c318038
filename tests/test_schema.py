"""The request's arguments are declared once (``reelkit.arguments.Ask``): the typed keyword
arguments of the clients, the validation kinds and the CLI's flags all follow from it."""

from __future__ import annotations

import attrs
from click.testing import CliRunner

from reelkit.arguments import ASK_FIELDS, Ask
from reelkit.client import Options
from reelkit.validation import FIELD_KINDS
from reelkit_cli.main import cli


def test_the_client_keywords_mirror_the_schema() -> None:
    assert set(Options.__annotations__) == set(ASK_FIELDS) - {"prompt"}


def test_every_field_has_a_validation_kind() -> None:
    kinds = {f.name: f.metadata.get("kind", "") for f in attrs.fields(Ask)}
    assert kinds == {name: FIELD_KINDS[name] for name in kinds}


def test_the_cli_offers_a_flag_for_every_request_field_that_declares_one() -> None:
    help_text = CliRunner().invoke(cli, ["plan", "--help"]).output
    for field in attrs.fields(Ask):
        for flag in field.metadata.get("cli", ()):
            assert flag.split("/")[0] in help_text, flag
