"""Cost awareness: estimates from price tables, budgets that fail closed before anything is sent,
and the journal's record of what was estimated and billed (``reelkit spend``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import awkward
import pytest
from click.testing import CliRunner

from reelkit import BudgetExceeded, Client, InvalidRequest, Mode, VideoRequest, pricing
from reelkit.budget import Budget
from reelkit.journal import open_journal
from reelkit.models import Charge, Media, Plan
from reelkit.pricing import Pricing, Rate, Unit, estimate, money, video_tokens
from reelkit.spending import parse_since, summarise

KEY = "sekrit-key-123"
AS_OF = date(2026, 12, 2)


def plan_of(**values: Any) -> Plan:
    mode = values.pop("mode", Mode.T2V)
    params = values.pop("params", {})
    request = VideoRequest(prompt="a heron", params=params, **values)
    return Plan(provider="p", model="m", mode=mode, request=request, adjustments=())


TABLE = Pricing(
    currency="USD",
    rates=(
        Rate(amount=0.50, resolutions=("1080p",), audio=True),
        Rate(amount=0.40, resolutions=("1080p",)),
        Rate(amount=None, resolutions=("4k",), note="not published"),
        Rate(amount=0.30, params={"tier": "pro"}),
        Rate(amount=0.10, params={"tier": "std"}, default=True),
        Rate(amount=0.002, unit=Unit.INPUT_IMAGE),
    ),
    source="https://example.com/pricing",
    as_of=AS_OF,
)


# --- estimates -------------------------------------------------------------------------------


def test_the_first_matching_rate_of_each_unit_applies_and_units_add_up() -> None:
    cost = estimate(TABLE, plan_of(duration=8, resolution="1080p", audio=True))
    assert cost.estimated == pytest.approx(8 * 0.50)
    assert cost.basis == "8 s × $0.50/s (1080p, audio)"
    assert (cost.currency, cost.source, cost.as_of) == ("USD", TABLE.source, AS_OF)
    silent = estimate(TABLE, plan_of(duration=8, resolution="1080p", audio=False))
    assert silent.estimated == pytest.approx(8 * 0.40)
    image = Media(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, mime_type="image/png")
    framed = plan_of(duration=5, resolution="720p", first_frame=image, mode=Mode.I2V)
    cost = estimate(TABLE, framed)
    assert cost.estimated == pytest.approx(5 * 0.10 + 1 * 0.002)
    assert cost.basis == "5 s × $0.10/s (tier=std) + 1 image × $0.002/image"


def test_a_param_tier_matches_its_own_rate_and_the_default_tier_matches_unset() -> None:
    pro = estimate(TABLE, plan_of(duration=10, resolution="720p", params={"tier": "pro"}))
    assert pro.estimated == pytest.approx(10 * 0.30)
    unset = estimate(TABLE, plan_of(duration=10, resolution="720p"))
    assert unset.estimated == pytest.approx(10 * 0.10)


def test_an_unpublished_variant_and_an_unpriced_model_are_unknown_never_guessed() -> None:
    cost = estimate(TABLE, plan_of(duration=8, resolution="4k"))
    assert cost.estimated is None and cost.to_dict() is None
    assert "no published price" in cost.basis and "4k" in cost.basis
    nothing = estimate(None, plan_of(duration=8))
    assert nothing.estimated is None and nothing.basis == "no published price"
    only_images = Pricing(
        currency="USD", rates=(Rate(amount=0.01, unit=Unit.INPUT_IMAGE),), source="x", as_of=AS_OF
    )
    assert estimate(only_images, plan_of(duration=8)).estimated is None  # no rate for the video


def test_a_remix_is_priced_at_its_source_length() -> None:
    from reelkit.models import SourceJob

    source = SourceJob(task_id="t", duration=12.0)
    cost = estimate(TABLE, plan_of(duration=4, resolution="720p", remix_of=source, mode=Mode.REMIX))
    assert cost.estimated == pytest.approx(12 * 0.10)


def test_video_tokens_follow_arks_published_formula() -> None:
    # Ark's price page: tokens ≈ width × height × fps × seconds / 1024; 5 s of 1248x704 at
    # 24 fps is 102,960 tokens.
    assert video_tokens(1248, 704, 24, 5) == 102_960
    per_token = Pricing(
        currency="CNY",
        rates=(Rate(amount=15.0, unit=Unit.MILLION_TOKENS),),
        source="x",
        as_of=AS_OF,
    )
    cost = estimate(per_token, plan_of(duration=5, size="1248x704", fps=24))
    assert cost.estimated == pytest.approx(102_960 / 1_000_000 * 15.0)
    assert cost.basis.startswith("102,960 tokens × 15.00 CNY/1M tokens")


def test_money_is_short_and_exact() -> None:
    assert [money(x, "USD") for x in (3.2, 0.002, 15, 0.125)] == [
        "$3.20",
        "$0.002",
        "$15.00",
        "$0.125",
    ]
    assert money(1.5, "CNY") == "1.50 CNY"


def test_a_rate_refuses_a_negative_or_infinite_amount() -> None:
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="finite amount"):
            Rate(amount=bad)


# --- budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [(5, Budget(5.0)), ("5", Budget(5.0)), ("2.5 usd", Budget(2.5)), ("CNY 30", Budget(30, "CNY"))],
)
def test_a_budget_is_an_amount_in_a_currency(given: Any, expected: Budget) -> None:
    assert Budget.parse(given) == expected


@pytest.mark.parametrize("bad", ["-1", "five", "5 USD CNY", True, float("nan"), [5]])
def test_a_bad_budget_names_the_field_and_the_form(bad: Any) -> None:
    with pytest.raises(InvalidRequest, match=r"max_cost: .*allowed: a number of USD"):
        Budget.parse(bad)


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


PRICED = """
[providers.awkward.models."ties".price]
currency = "USD"
per_second = 0.25
source = "https://awkward.test/pricing"
as_of = 2026-11-30
"""


@pytest.fixture
def service() -> awkward.FakeService:
    return awkward.FakeService()


def client_for(home: Path, service: awkward.FakeService, **env: str) -> Client:
    return Client(
        env={"REELKIT_HOME": str(home), "AWKWARD_KEY": KEY, **env},
        plugins=[awkward],
        entry_points=False,
        transport=service.transport(),
    )


def test_a_config_price_replaces_the_plugins_and_shows_in_the_plan(
    isolated_env: Path, service: awkward.FakeService
) -> None:
    write_config(isolated_env, PRICED)
    with client_for(isolated_env, service) as client:
        plan = client.plan("a heron", duration=6)
    assert plan.cost is not None and plan.cost.estimated == pytest.approx(6 * 0.25)
    assert plan.to_dict()["cost"] == {
        "estimated": 1.5,
        "currency": "USD",
        "basis": "6 s × $0.25/s",
        "source": "https://awkward.test/pricing",
        "as_of": "2026-11-30",
    }


def test_a_bad_config_price_names_where_it_is(
    isolated_env: Path, service: awkward.FakeService
) -> None:
    write_config(isolated_env, '[providers.awkward.models."ties".price]\nper_secnd = 1\n')
    with pytest.raises(InvalidRequest, match=r"providers\.awkward\.models\.ties\.price: unknown"):
        client_for(isolated_env, service).plan("a heron")


def test_over_budget_nothing_is_sent_and_nothing_journalled(
    isolated_env: Path, service: awkward.FakeService, tmp_path: Path
) -> None:
    write_config(isolated_env, PRICED)
    with client_for(isolated_env, service) as client:
        plan = client.plan("a heron", duration=6, max_cost=1)
        assert plan.refused and "over the budget of $1.00" in plan.refused
        with pytest.raises(BudgetExceeded) as caught:
            client.generate("a heron", duration=6, max_cost=1, output=tmp_path / "a.mp4")
        assert client.journal.list() == []
    assert service.counts["submits"] == 0
    error = caught.value
    assert error.exit_code == 2
    assert "estimated $1.50 = 6 s × $0.25/s, over the budget of $1.00" in str(error)
    assert error.to_dict()["limit"] == {"amount": 1.0, "currency": "USD"}
    assert error.to_dict()["estimate"]["estimated"] == 1.5


def test_the_environment_sets_the_budget(isolated_env: Path, service: awkward.FakeService) -> None:
    write_config(isolated_env, PRICED)
    with (
        client_for(isolated_env, service, REELKIT_MAX_COST="1.00") as client,
        pytest.raises(BudgetExceeded),
    ):
        client.submit("a heron", duration=6)
    assert service.counts["submits"] == 0


def test_within_budget_the_estimate_is_journalled_before_the_submit(
    isolated_env: Path, service: awkward.FakeService, tmp_path: Path
) -> None:
    write_config(isolated_env, PRICED)
    with client_for(isolated_env, service) as client:
        result = client.generate("a heron", duration=6, max_cost="1.50", output=tmp_path / "a.mp4")
        record = client.journal.get(result.job_id)
    assert service.counts["submits"] == 1
    assert record.cost is not None and record.cost["estimated"] == 1.5
    assert result.cost == record.cost and result.to_dict()["cost"]["basis"] == "6 s × $0.25/s"


def test_an_unknown_price_is_refused_under_a_budget_unless_allowed(
    isolated_env: Path, service: awkward.FakeService, tmp_path: Path
) -> None:
    with client_for(isolated_env, service) as client:
        with pytest.raises(BudgetExceeded, match=r"price is unknown .*--allow-unpriced"):
            client.generate("a heron", max_cost=100, output=tmp_path / "a.mp4")
        assert service.counts["submits"] == 0
        client.generate("a heron", max_cost=100, allow_unpriced=True, output=tmp_path / "a.mp4")
    assert service.counts["submits"] == 1


def test_another_currency_is_compared_only_through_a_configured_rate(
    isolated_env: Path, service: awkward.FakeService
) -> None:
    cny = PRICED.replace('currency = "USD"', 'currency = "CNY"')
    write_config(isolated_env, cny)
    with client_for(isolated_env, service) as client:
        refused = client.plan("a heron", duration=6, max_cost=100).refused
    assert refused and "priced in CNY" in refused and "no exchange rate" in refused
    write_config(isolated_env, cny + "\n[exchange_rates]\nCNY = 0.5\n")
    with client_for(isolated_env, service) as client:
        assert client.plan("a heron", duration=6, max_cost=0.75).refused is None  # 1.5 CNY = $0.75
        assert client.plan("a heron", duration=6, max_cost=0.74).refused
        assert client.plan("a heron", duration=6, max_cost="1.5 CNY").refused is None


def test_reusing_a_finished_identical_job_costs_nothing_so_no_budget_refuses_it(
    isolated_env: Path, service: awkward.FakeService, tmp_path: Path
) -> None:
    write_config(isolated_env, PRICED)
    with client_for(isolated_env, service) as client:
        first = client.generate("a heron", duration=6, output=tmp_path / "a.mp4")
        again = client.generate("a heron", duration=6, max_cost=0.01)
        assert again.reused and again.path == first.path
        assert client.spend()["jobs"] == 1  # the reuse bought nothing
    assert service.counts["submits"] == 1


# --- what was spent --------------------------------------------------------------------------


def test_spend_sums_estimates_and_billed_amounts_over_a_mixed_set(tmp_path: Path) -> None:
    from reelkit.models import JobHandle, JobState

    journal = open_journal(None, home=tmp_path)
    request = VideoRequest(prompt="x", duration=4.0)

    def job(
        provider: str, state: JobState, cost: Any, billed: Any = None, accepted: bool = True
    ) -> None:
        record, _ = journal.create(
            job_id=f"rk_{provider}_{len(journal.list())}",
            provider=provider,
            model="m1",
            mode="t2v",
            fingerprint=f"fp{len(journal.list())}",
            request=request,
            adjustments=(),
            output=None,
            claim=False,
            cost=cost,
        )
        handle = JobHandle(provider=provider, model="m1", task_id="t") if accepted else None
        journal.update(record, state=state, handle=handle, billed=billed)

    usd = {"estimated": 0.4, "currency": "USD", "basis": "4 s × $0.10/s"}
    job("sora", JobState.DOWNLOADED, usd)
    job("sora", JobState.DOWNLOADED, usd)
    job("grok", JobState.DOWNLOADED, {"estimated": 0.2, "currency": "USD"},
        billed={"amount": 0.21, "currency": "USD", "basis": "usage.cost_in_usd_ticks"})  # fmt: skip
    job("grok", JobState.FAILED, {"estimated": 0.2, "currency": "USD"},
        billed={"amount": 0.2, "currency": "USD", "on_failure": True, "estimated": True})  # fmt: skip
    job("seedance", JobState.DOWNLOADED, {"estimated": 1.5, "currency": "CNY"},
        billed={"amount": 1.6, "currency": "CNY", "tokens": 108900})  # fmt: skip
    job("jimeng", JobState.DOWNLOADED, {"estimated": None, "basis": "no published price"})
    job("veo", JobState.FAILED, {"estimated": 3.2, "currency": "USD"}, accepted=False)  # rejected
    rows = journal.costs()
    journal.close()

    report = summarise(rows, by="provider")
    assert report["jobs"] == 6  # the rejected submit bought nothing
    assert report["estimated"] == pytest.approx(0.4 + 0.4 + 0.2 + 0.2)
    assert report["billed"] == pytest.approx(0.21 + 0.2)
    assert report["billed_jobs"] == 2 and report["unpriced"] == 1
    assert report["unconverted"] == {
        "CNY": {"estimated": 1.5, "billed": 1.6, "jobs": 1, "billed_jobs": 1, "unpriced": 0}
    }
    assert report["by"]["grok"]["billed"] == pytest.approx(0.41)
    assert set(report["by"]) == {"sora", "grok", "seedance", "jimeng"}
    converted = summarise(rows, rates={"CNY": 0.14})
    assert converted["estimated"] == pytest.approx(1.2 + 1.5 * 0.14)
    assert converted["billed"] == pytest.approx(0.41 + 1.6 * 0.14)
    assert "unconverted" not in converted
    in_cny = summarise(rows, currency="CNY")
    assert in_cny["estimated"] == pytest.approx(1.5) and in_cny["unconverted"]["USD"]["jobs"] == 4


def test_spend_by_day_and_since(tmp_path: Path) -> None:
    assert parse_since("7d", now=1_000_000.0) == 1_000_000.0 - 7 * 86400
    assert parse_since("90m", now=10_000.0) == 10_000.0 - 5400
    assert parse_since("2026-11-01") == pytest.approx(1_793_491_200.0)
    with pytest.raises(InvalidRequest, match="since: 'lately' is not"):
        parse_since("lately")
    with pytest.raises(InvalidRequest, match="by: 'week' is not a grouping"):
        summarise([], by="week")


def test_the_billed_amount_of_a_finished_job(tmp_path: Path) -> None:
    from reelkit.journal import JobRecord

    tokens = Pricing(
        currency="CNY",
        rates=(Rate(amount=15.0, unit=Unit.MILLION_TOKENS),),
        source="x",
        as_of=AS_OF,
    )
    record = JobRecord(
        id="rk_1", created_at=0, updated_at=0, state="running", provider="p", model="m",
        mode="t2v", fingerprint="f", request=VideoRequest(prompt="x", duration=5.0),
        adjustments=(), cost={"estimated": 1.6, "currency": "CNY"},
    )  # fmt: skip
    priced = pricing.billed(tokens, record, Charge(tokens=108_900, basis="usage"), failed=False)
    assert priced is not None and priced["amount"] == pytest.approx(108_900 / 1e6 * 15.0)
    assert priced["currency"] == "CNY" and priced["tokens"] == 108_900
    own = pricing.billed(tokens, record, Charge(amount=0.21, currency="USD"), failed=False)
    assert own == {"amount": 0.21, "currency": "USD", "tokens": None, "basis": ""}
    failed = pricing.billed(tokens, record, None, failed=True)
    assert failed is not None and failed["amount"] == 1.6 and failed["estimated"] is True
    assert failed["on_failure"] is True
    assert pricing.billed(tokens, record, None, failed=False) is None


# --- the CLI ---------------------------------------------------------------------------------


def test_the_cli_dry_run_shows_the_cost_and_exits_2_over_budget(isolated_env: Path) -> None:
    from reelkit_cli.main import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["plan", "x", "-p", "local", "-d", "3"])
    assert shown.exit_code == 0, shown.output
    assert "cost: $0.00, free (rendered offline)" in shown.output
    # local is free: any budget passes; an unpriced model under a budget is refused.
    assert runner.invoke(cli, ["plan", "x", "-p", "local", "--max-cost", "0"]).exit_code == 0
    refused = runner.invoke(cli, ["plan", "x", "-p", "jimeng", "--max-cost", "5", "--json"])
    assert refused.exit_code == 2
    data = json.loads(refused.stdout)
    assert "price is unknown" in data["refused"] and data["cost"] is None
    allowed = runner.invoke(
        cli, ["plan", "x", "-p", "jimeng", "--max-cost", "5", "--allow-unpriced", "--json"]
    )
    assert allowed.exit_code == 0 and json.loads(allowed.stdout)["refused"] is None


def test_the_cli_spend_reports_the_journal(isolated_env: Path, tmp_path: Path) -> None:
    from reelkit_cli.main import cli

    runner = CliRunner()
    made = runner.invoke(
        cli, ["generate", "x", "-p", "local", "-d", "1", "-o", str(tmp_path / "x.mp4")]
    )
    assert made.exit_code == 0, made.output
    report = runner.invoke(cli, ["spend", "--by", "provider", "--json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)
    assert (data["jobs"], data["estimated"], data["by"]["local"]["jobs"]) == (1, 0.0, 1)
    text = runner.invoke(cli, ["spend", "--since", "1d"])
    assert text.exit_code == 0 and text.output.startswith("1 job since ")
    bad = runner.invoke(cli, ["spend", "--since", "lately"])
    assert bad.exit_code == 2 and "since: 'lately' is not" in bad.output


# --- against the emulator: real plugins, real HTTP over loopback ------------------------------


def test_through_the_emulator_billed_amounts_are_journalled_and_summed(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    with Client() as client:
        grok = client.generate("a heron", provider="grok", duration=5, output=tmp_path / "g.mp4")
        seed = client.generate(
            "a heron", provider="seedance", duration=5, output=tmp_path / "s.mp4"
        )
        report = client.spend(by="provider")
        seedance = client.capabilities("seedance", seed.model)[0]
    assert seedance.price is not None
    online = next(r for r in seedance.price.rates if r.unit is Unit.MILLION_TOKENS and r.default)
    assert online.amount is not None
    # xAI reports what it billed in ticks (1 USD = 10^10 ticks).
    assert grok.billed is not None and grok.billed["currency"] == "USD"
    assert grok.billed["basis"] == "usage.cost_in_usd_ticks" and grok.billed["amount"] > 0
    assert grok.cost is not None and grok.cost["estimated"] == pytest.approx(5 * 0.05)
    # Ark reports tokens; reelkit prices them with the model's published token rate.
    assert seed.billed is not None and seed.billed["tokens"] > 0
    assert seed.billed["amount"] == pytest.approx(seed.billed["tokens"] / 1e6 * online.amount)
    assert seed.cost is not None and seed.billed["currency"] == seed.cost["currency"] == "CNY"
    assert report["by"]["grok"]["billed"] == pytest.approx(grok.billed["amount"])
    assert report["unconverted"]["CNY"]["billed"] == pytest.approx(seed.billed["amount"])
    assert report["jobs"] == 2


def test_through_the_emulator_a_refused_budget_sends_nothing(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    with Client() as client:
        with pytest.raises(BudgetExceeded, match="over the budget of"):
            client.generate("a heron", provider="veo", duration=8, max_cost=1)
        with pytest.raises(BudgetExceeded, match="price is unknown"):
            client.generate("a heron", provider="jimeng", max_cost=100)
        assert client.journal.list() == []
    stats = reelkit_emulator.stats()
    assert stats["veo"]["submits"] == 0 and stats["jimeng"]["submits"] == 0


def test_cheapest_takes_the_lowest_estimate_and_names_the_others(reelkit_emulator: Any) -> None:
    with Client() as client:
        first = client.plan("a heron", duration=8)
        cheapest = client.plan("a heron", duration=8, cheapest=True)
        estimates = {}
        for provider in ("grok", "veo", "sora"):
            cost = client.plan("a heron", provider=provider, duration=8).cost
            assert cost is not None and cost.estimated is not None
            estimates[provider] = cost.estimated
    assert first.provider == "grok"  # priority order without --cheapest
    assert cheapest.cost is not None
    assert cheapest.cost.estimated == min(estimates.values())
    assert cheapest.notice and cheapest.notice.startswith("cheapest qualifying provider: ")
    for provider in ("veo", "sora", "jimeng"):
        assert f"{provider}: " in cheapest.notice
