"""Secrets never leak: not in ``repr``, logs (tracebacks too), errors, ``--dry-run`` or listings.

Keys come from the environment, as a user sets them; a password sits in a gateway's base URL.
Each check asserts the key and the password are absent and that a mask stands in their place.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import reelkit
from reelkit import _secrets, errors, redact
from reelkit.config import Settings
from reelkit.models import (
    Asset,
    HttpPreview,
    JobEvent,
    JobHandle,
    Media,
    ProviderConfig,
    Result,
    SourceJob,
    VideoRequest,
)

OPENAI_KEY = "sk-live-SECRET123456"
NEWAPI_KEY = "na-live-SECRET654321"
VOLC_SECRET = "volc-SECRET-abcdef987"
PASSWORD = "hunter2pass"
BASE_URL = f"http://user:{PASSWORD}@127.0.0.1:9/v1"
SECRETS = (OPENAI_KEY, NEWAPI_KEY, VOLC_SECRET, PASSWORD)


def assert_clean(text: str, *, masked: bool = True) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in: {text[:2000]}"
    if masked:
        assert _secrets.MASK in text, f"no mask in: {text[:2000]}"


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("NEWAPI_API_KEY", NEWAPI_KEY)
    monkeypatch.setenv("VOLC_ACCESSKEY", "AKLTvolcaccess01")
    monkeypatch.setenv("VOLC_SECRETKEY", VOLC_SECRET)
    monkeypatch.setenv("REELKIT_NEWAPI_BASE_URL", BASE_URL)


@pytest.fixture
def client() -> Iterator[reelkit.Client]:
    with reelkit.Client() as c:
        yield c


@pytest.fixture
def cli_runner() -> Iterator[CliRunner]:
    """The CLI adds a stderr handler to the ``reelkit`` logger: take it away afterwards."""
    logger = logging.getLogger("reelkit")
    before, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield CliRunner()
    for handler in list(logger.handlers):
        if handler not in before:
            logger.removeHandler(handler)
    logger.propagate, logger.level = propagate, level


def newapi_model(client: reelkit.Client) -> str:
    models = client.capabilities("newapi")
    assert models
    return client.model("newapi").id


# --- objects a host application may print or log -------------------------------------------


def test_client_repr_and_str_show_no_secret(client: reelkit.Client) -> None:
    for text in (repr(client), str(client)):
        assert_clean(text, masked=False)
    async_client = reelkit.AsyncClient()
    assert_clean(repr(async_client) + str(async_client), masked=False)


def test_settings_repr_names_reelkit_variables_and_shows_no_value(
    client: reelkit.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = client.settings
    for text in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        assert_clean(text, masked=False)
        assert "REELKIT_NEWAPI_BASE_URL" in text  # the name of a set REELKIT_* variable
        assert "127.0.0.1" not in text  # ...never its value
        assert "OPENAI_API_KEY" not in text  # other variables: not even the name
        assert str(settings.home) in text
        assert "poll_interval=" in text and "timeout=" in text


def test_settings_repr_lists_the_files_read(tmp_path: Path) -> None:
    (tmp_path / "reelkit.toml").write_text(
        '[providers.newapi]\napi_key = "toml-SECRET-42424242"\n'
        'base_url = "https://bob:toml-pw-777@gw.example/v1"\n'
    )
    settings = Settings.load(cwd=tmp_path)
    text = repr(settings)
    assert "reelkit.toml" in text
    assert "toml-SECRET-42424242" not in text and "toml-pw-777" not in text
    # Values in the files are registered too: an error quoting them is masked.
    assert "toml-SECRET-42424242" in settings.secret_values()
    assert "toml-pw-777" in settings.secret_values()
    message = str(errors.ProviderError("echo toml-SECRET-42424242 and toml-pw-777"))
    assert "SECRET" not in message and "777" not in message


def test_secret_values_collects_keys_and_url_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_TOKEN", "true")  # too short to be a real secret: not registered
    monkeypatch.setenv("REELKIT_X_URL", "https://gw.example/v1?key=query-SECRET-1&e=12345678")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxyuser:proxy-pw-99@proxy:3128")
    monkeypatch.setenv("THING_APIKEY", "apikey-SECRET-5")
    values = Settings.load().secret_values()
    for expected in (
        OPENAI_KEY,
        NEWAPI_KEY,
        VOLC_SECRET,
        "AKLTvolcaccess01",
        PASSWORD,
        "query-SECRET-1",
        "proxy-pw-99",
        "apikey-SECRET-5",
    ):
        assert expected in values
    for unexpected in ("true", "12345678", "user", "proxyuser", "127.0.0.1"):
        assert unexpected not in values
    # Declared names are taken whatever they are called.
    monkeypatch.setenv("ODD_NAME", "declared-value")
    assert "declared-value" in Settings.load().secret_values(["ODD_NAME"])


def test_settings_register_their_secrets_when_created() -> None:
    Settings.load(env={"LATE_API_KEY": "registered-on-load-123"})
    assert "registered-on-load-123" not in _secrets.scrub("x registered-on-load-123 y")
    Settings(home=Path("."), env={"DIRECT_TOKEN": "direct-construct-9"})
    assert "direct-construct-9" not in str(errors.ReelkitError("said direct-construct-9"))


def test_provider_configs_mask_the_base_url_password(client: reelkit.Client) -> None:
    for info in client.providers():
        config = client.settings.provider_config(info)
        assert_clean(repr(config) + str(config), masked=info.name == "newapi")
    config = client.settings.provider_config(client.host.provider("newapi").info)
    assert config.base_url == BASE_URL  # the value itself still works
    assert "user:***@127.0.0.1:9/v1" in repr(config)


def test_provider_config_options_show_keys_only() -> None:
    config = ProviderConfig(
        name="x",
        base_url="https://gw.example/v1?api_key=abc-unregistered",
        poll_interval_s=1,
        timeout_s=2,
        options={"api_key": "opt-unregistered-value", "state_dir": "/srv/reelkit"},
    )
    text = repr(config)
    assert "opt-unregistered-value" not in text and "abc-unregistered" not in text
    assert "api_key" in text and "state_dir" in text and "api_key=***" in text


def test_plan_repr_and_dict_show_no_secret(client: reelkit.Client) -> None:
    plan = client.plan("x", provider="newapi", model=newapi_model(client))
    assert_clean(repr(plan))
    assert_clean(str(plan))
    data = plan.to_dict()
    dumped = json.dumps(data)
    assert_clean(dumped)
    assert data["http"]["url"].startswith("http://user:***@127.0.0.1:9/v1")
    assert _secrets.MASK in data["http"]["headers"]["authorization"]
    assert plan.http is not None
    assert_clean(repr(plan.http))


def test_plan_with_a_presigned_input_url_masks_its_signature() -> None:
    request = httpx.Request(
        "POST",
        "https://api.example/v1/videos?key=query-key-unregistered",
        json={
            "prompt": "x",
            "image": "https://bucket.example/a.png?X-Amz-Credential=AKIAEXAMPLE"
            "&X-Amz-Signature=deadbeef1234&X-Amz-Expires=600",
        },
        headers={"Authorization": "Bearer raw-header-token-1", "X-Trace": "t-1"},
    )
    preview = redact.preview(request)
    dumped = json.dumps(preview.to_dict()) + repr(preview)
    for leaked in ("query-key-unregistered", "AKIAEXAMPLE", "deadbeef1234", "raw-header-token-1"):
        assert leaked not in dumped
    assert "X-Amz-Expires=600" in preview.body["image"]
    assert preview.headers["x-trace"] == "t-1"
    # A preview built by hand is still shown safely.
    raw = HttpPreview(
        method="GET",
        url="https://x.example/?sig=raw-sig-unregistered",
        headers={"authorization": "Bearer raw-unregistered-bearer"},
        body=None,
    )
    assert "raw-sig-unregistered" not in repr(raw)
    assert "raw-unregistered-bearer" not in repr(raw)


def test_media_handle_result_and_events_mask_urls_and_data() -> None:
    signed = "https://cdn.example/v.mp4?X-Amz-Signature=sig-value-9876&token=tok-value-5432"
    texts = [
        repr(Media(url=signed)),
        repr(Media(url=f"https://user:{PASSWORD}@cdn.example/a.png")),
        repr(JobHandle(provider="p", model="m", task_id="t", data={"video_url": "unseen-12345"})),
        repr(Asset(url=signed, data={"raw": "unseen-12345"})),
        repr(SourceJob(task_id="t", video_url=signed, data={"raw": "unseen-12345"})),
        repr(VideoRequest(prompt="p", first_frame=Media(url=signed), params={"u": signed})),
        repr(JobEvent(kind="polled", job_id="j", provider="p", model="m", data={"u": signed})),
    ]
    result = Result(
        job_id="rk_1",
        provider="p",
        model="m",
        mode="t2v",
        status="succeeded",
        prompt="x",
        duration=None,
        resolution=None,
        size=None,
        aspect_ratio=None,
        fps=None,
        task_id="t",
        video_url=signed,
        expires_at=None,
        path=None,
    )
    texts += [repr(result), str(result)]
    for text in texts:
        for leaked in ("sig-value-9876", "tok-value-5432", "unseen-12345", PASSWORD):
            assert leaked not in text, text
    assert "X-Amz-Signature=***" in repr(result)
    assert result.to_dict()["video_url"] == signed  # the usable URL stays in the data


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_plan_json_shows_no_secret(cli_runner: CliRunner) -> None:
    from reelkit_cli.main import cli

    with reelkit.Client() as client:
        model = newapi_model(client)
    done = cli_runner.invoke(cli, ["plan", "x", "-p", "newapi", "-m", model, "--json"])
    assert done.exit_code == 0, done.output
    assert_clean(done.output)
    assert json.loads(done.stdout)["http"]["url"].startswith("http://user:***@")


def test_cli_dry_run_shows_no_secret(cli_runner: CliRunner) -> None:
    from reelkit_cli.main import cli

    done = cli_runner.invoke(cli, ["generate", "x", "--dry-run", "--json", "-p", "newapi"])
    assert done.exit_code == 0, done.output
    assert_clean(done.output)
    data = json.loads(done.stdout)
    assert data["http"]["url"].startswith("http://user:***@127.0.0.1:9/v1")
    text = cli_runner.invoke(cli, ["generate", "x", "--dry-run", "-p", "newapi"])
    assert text.exit_code == 0, text.output
    assert_clean(text.output)


def test_cli_providers_json_masks_the_base_url(cli_runner: CliRunner) -> None:
    from reelkit_cli.main import cli

    done = cli_runner.invoke(cli, ["providers", "--json"])
    assert done.exit_code == 0, done.output
    assert_clean(done.output)
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["newapi"]["base_url"] == "http://user:***@127.0.0.1:9/v1"
    table = cli_runner.invoke(cli, ["providers"])
    assert table.exit_code == 0, table.output
    assert_clean(table.output, masked=False)


# --- logs --------------------------------------------------------------------------------------


class _Capture:
    def __init__(self, formatter: logging.Formatter) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)
        self.records: list[logging.LogRecord] = []

    def __enter__(self) -> _Capture:
        logger = logging.getLogger("reelkit")
        redact.install_log_filter(logger)  # what the engine does at import
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self.handler)
        keep = self.records.append
        self.handler.addFilter(lambda r: keep(r) or True)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("reelkit")
        logger.removeHandler(self.handler)
        logger.setLevel(self._level)

    @property
    def text(self) -> str:
        return self.stream.getvalue()


def _observer_fails(secret: str) -> None:
    log = logging.getLogger("reelkit")
    try:
        try:
            raise KeyError(f"inner {secret}")
        except KeyError as inner:
            raise ValueError(f"observer rejected {secret} at {BASE_URL}") from inner
    except ValueError:
        log.exception("a reelkit_job_event observer failed")


def test_a_logged_traceback_is_scrubbed(client: reelkit.Client) -> None:
    with _Capture(logging.Formatter("%(levelname)s %(message)s")) as capture:
        _observer_fails(OPENAI_KEY)
    assert "Traceback" in capture.text and "ValueError: observer rejected" in capture.text
    assert "KeyError" in capture.text  # the chained cause is kept
    assert_clean(capture.text)
    # No handler or formatter can reach the raw exception any more.
    (record,) = capture.records
    assert record.exc_info is None and record.exc_text
    assert_clean(record.exc_text)


def test_a_formatter_calling_format_exception_itself_sees_no_secret(
    client: reelkit.Client,
) -> None:
    class JsonFormatter(logging.Formatter):  # the way JSON formatters read exc_info directly
        def format(self, record: logging.LogRecord) -> str:
            data = {"message": record.getMessage()}
            if record.exc_info:
                data["exc"] = self.formatException(record.exc_info)
            elif record.exc_text:
                data["exc"] = record.exc_text
            return json.dumps(data)

    with _Capture(JsonFormatter()) as capture:
        _observer_fails(NEWAPI_KEY)
    line = json.loads(capture.text)
    assert "ValueError" in line["exc"]
    assert_clean(capture.text)


def test_an_unregistered_url_password_in_a_traceback_is_masked() -> None:
    log = logging.getLogger("reelkit")
    with _Capture(logging.Formatter("%(message)s")) as capture:
        try:
            raise ConnectionError("could not reach https://bob:never-registered-pw@gw.example/v1")
        except ConnectionError:
            log.exception("GET https://gw.example/v1?access_token=never-registered-tok failed")
    assert "never-registered-pw" not in capture.text
    assert "never-registered-tok" not in capture.text
    assert "https://bob:***@gw.example/v1" in capture.text
    assert "access_token=***" in capture.text


def test_messages_and_stack_info_are_scrubbed(client: reelkit.Client) -> None:
    with _Capture(logging.Formatter("%(message)s")) as capture:
        logging.getLogger("reelkit").warning("key is %s", OPENAI_KEY)
    assert_clean(capture.text)
    record = logging.LogRecord("reelkit", logging.WARNING, __file__, 1, "m", None, None)
    record.stack_info = f'Stack (most recent call last):\n  File "x.py", line 1\n    {VOLC_SECRET}'
    redact.SecretFilter().filter(record)
    assert_clean(record.stack_info)
    assert_clean(logging.Formatter().format(record))


def test_records_without_secrets_keep_their_exception() -> None:
    with _Capture(logging.Formatter("%(message)s")) as capture:
        try:
            raise RuntimeError("nothing secret here")
        except RuntimeError:
            logging.getLogger("reelkit").exception("plain")
    (record,) = capture.records
    assert record.exc_info is not None  # untouched: error trackers still get the exception
    assert "RuntimeError: nothing secret here" in capture.text


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda s: errors.ReelkitError(f"the key {s} was rejected"),
        lambda s: errors.ProviderError(f"echo: {s}", provider="newapi", code=401),
        lambda s: errors.AuthenticationFailed(f"bad key {s}"),
        lambda s: errors.InvalidRequest("base_url", f"{BASE_URL} with {s}"),
        lambda s: errors.NetworkError(f"connect {BASE_URL} failed ({s})", provider="newapi"),
        lambda s: errors.JobFailed(f"failed with {s}", job_id="rk_1"),
    ],
)
def test_errors_never_show_a_key(client: reelkit.Client, make: Any) -> None:
    for secret in (OPENAI_KEY, NEWAPI_KEY, VOLC_SECRET):
        exc = make(secret)
        for text in (repr(exc), str(exc), json.dumps(exc.to_dict()), repr(exc.args)):
            assert_clean(text)


# --- URL redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pw@gw/v1", "http://user:***@gw/v1"),
        ("https://ghp_tokenasuser@github.com/o/r", "https://***@github.com/o/r"),
        ("https://gw/v1/users/@me?x=1", "https://gw/v1/users/@me?x=1"),
        ("https://g/v1/m:gen?key=AIzaXYZ&alt=json", "https://g/v1/m:gen?key=***&alt=json"),
        (
            "https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIA%2F20260101&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600"
            "&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef",
            "https://b.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=***&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600"
            "&X-Amz-SignedHeaders=host&X-Amz-Signature=***",
        ),
        (
            "https://q.example/v.mp4?e=1700000000&token=mac:sig",
            "https://q.example/v.mp4?e=1700000000&token=***",
        ),
        (
            "https://a.blob.core.windows.net/c/v.mp4?sv=2022&sig=abc%3D",
            "https://a.blob.core.windows.net/c/v.mp4?sv=2022&sig=***",
        ),
        ("https://x/cb#access_token=abc&state=1", "https://x/cb#access_token=***&state=1"),
        (
            "https://d.cloudfront.net/v.mp4?Expires=1&Signature=abc~&Key-Pair-Id=K2",
            "https://d.cloudfront.net/v.mp4?Expires=1&Signature=***&Key-Pair-Id=K2",
        ),
        (
            "https://x/?api_key=a&apikey=b&x-goog-api-key=c",
            "https://x/?api_key=***&apikey=***&x-goog-api-key=***",
        ),
        ("https://x/?key=", "https://x/?key="),
        ("https://x/plain/path", "https://x/plain/path"),
        ("", ""),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact.redact_url(url) == shown


def test_scrub_text_finds_urls_in_prose() -> None:
    text = "fetching (https://u:pw-in-prose@h/x?sig=s1gn4ture). Then http://ok/ and done"
    assert redact.scrub_text(text) == (
        "fetching (https://u:***@h/x?sig=***). Then http://ok/ and done"
    )
