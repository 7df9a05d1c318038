"""``reelkit spend``: what the journal's jobs were estimated and billed, summed."""

from __future__ import annotations

from typing import Any

import click

from .output import emit_json


@click.command()
@click.option(
    "--since", metavar="WHEN", help="Only jobs since: 7d, 24h, 30m or a date (2026-11-01)."
)
@click.option(
    "--by",
    type=click.Choice(["provider", "model", "day", "state"]),
    help="Group the totals.",
)
@click.option("--currency", default="USD", show_default=True, help="Report in this currency.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def spend(since: str | None, by: str | None, currency: str, as_json: bool) -> None:
    """Sum what jobs were estimated to cost and what providers reported billing.

    Amounts in another currency are converted only through the config's [exchange_rates];
    others are listed apart. Estimates are what reelkit computed before sending; billed
    amounts are what providers reported (not every provider reports one).
    """
    from .main import _client, _fail

    try:
        with _client() as client:
            report = client.spend(since=since, by=by, currency=currency)
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(report)
        return
    click.echo(_text(report))


def _text(report: dict[str, Any]) -> str:
    from reelkit.pricing import money

    cur = report["currency"]
    since = f" since {report['since']}" if report.get("since") else ""
    lines = [
        f"{report['jobs']} job{'s' if report['jobs'] != 1 else ''}{since}: "
        f"estimated {money(report['estimated'], cur)}, billed {money(report['billed'], cur)}"
        f" (reported for {report['billed_jobs']}), unpriced {report['unpriced']}"
    ]
    for key, bucket in (report.get("by") or {}).items():
        lines.append(
            f"  {key}: {bucket['jobs']} jobs, estimated {money(bucket['estimated'], cur)}, "
            f"billed {money(bucket['billed'], cur)}, unpriced {bucket['unpriced']}"
        )
    for other, bucket in (report.get("unconverted") or {}).items():
        lines.append(
            f"  in {other} (no exchange rate configured): estimated "
            f"{money(bucket['estimated'], other)}, billed {money(bucket['billed'], other)}"
        )
    return "\n".join(lines)
