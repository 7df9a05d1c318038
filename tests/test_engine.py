"""The engine through Client and AsyncClient, against the inline awkward provider's fake service."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import awkward
import httpx
import pytest

from reelkit import (
    AsyncClient,
    AuthenticationFailed,
    Client,
    ContentFiltered,
    DownloadFailed,
    InvalidRequest,
    JobTimeout,
    MissingCredentials,
    ProviderError,
    SubmitOutcomeUnknown,
)
from reelkit.models import JobState

KEY = "sekrit-key-123"
RESULT_KEYS = [
    "job_id", "provider", "model", "mode", "status", "prompt", "duration", "resolution", "size",
    "aspect_ratio", "fps", "task_id", "video_url", "expires_at", "path", "adjustments", "elapsed_s",
    "audio", "requested", "warnings", "cost", "billed",
]  # fmt: skip


def make_client(
    service: Any, home: Path, *, key: str | None = KEY, cls: Any = Client, **kwargs: Any
) -> Any:
    env = {"REELKIT_HOME": str(home)}
    if key:
        env["AWKWARD_KEY"] = key
    transport = kwargs.pop("transport", None) or service.transport()
    return cls(env=env, plugins=[awkward], entry_points=False, transport=transport, **kwargs)


@pytest.fixture
def service() -> awkward.FakeService:
    return awkward.FakeService()


def test_generate_end_to_end(
    service: awkward.FakeService, isolated_env: Path, tmp_path: Path
) -> None:
    with make_client(service, isolated_env) as client:
        result = client.generate("a cat", duration=5, output=tmp_path / "out" / "cat.mp4")
    data = result.to_dict()
    assert list(data) == RESULT_KEYS
    assert data["status"] == "downloaded"
    assert data["duration"] == 6.0 and data["size"] == "1280x720"
    assert data["adjustments"] == [
        {
            "field": "duration",
            "requested": 5,
            "applied": 6,
            "reason": "ties (t2v) takes 4, 6 s; snapped to the nearest",
        }
    ]
    assert Path(data["path"]) == tmp_path / "out" / "cat.mp4"
    assert Path(data["path"]).read_bytes() == awkward.tiny_mp4()
    assert dict(service.counts) == {"submits": 1, "polls": 2, "downloads": 1}
    assert service.bodies[0] == {
        "model": "ties",
        "prompt": "a cat",
        "seconds": 6.0,
        "size": "1280x720",
    }


def test_credentials_never_follow_a_redirect_to_another_host(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    with make_client(service, isolated_env) as client:
        client.generate("a cat")
    assert (
        service.seen_auth["api"] == [f"Bearer {KEY}"] * 4
    )  # submit, two polls, the signed download
    assert service.seen_auth["cdn"] == [None]


def test_identical_request_is_reused_not_paid_twice(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    with make_client(service, isolated_env) as client:
        first = client.generate("a cat")
        again = client.generate("a cat")
        assert again.reused and again.job_id == first.job_id
        assert service.counts["submits"] == 1
        forced = client.generate("a cat", force=True)
        assert forced.job_id != first.job_id
        assert service.counts["submits"] == 2


def test_reuse_copies_to_a_new_output(
    service: awkward.FakeService, isolated_env: Path, tmp_path: Path
) -> None:
    with make_client(service, isolated_env) as client:
        client.generate("a cat")
        copy = client.generate("a cat", output=tmp_path / "copy.mp4")
    assert Path(copy.path or "").read_bytes() == awkward.tiny_mp4()
    assert service.counts["submits"] == 1


class Crash(BaseException):
    """Stands for a process dying mid-poll (not an Exception: nothing may catch it)."""


def test_crash_mid_poll_resumes_without_a_second_submit(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    def crashing(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "/jobs/" in request.url.path:
            raise Crash
        return service(request)

    with (
        make_client(service, isolated_env, transport=httpx.MockTransport(crashing)) as client,
        pytest.raises(Crash),
    ):
        client.generate("a dog")
    with make_client(service, isolated_env) as client:
        [job] = client.jobs()
        assert job.state == "submitted"
        result = client.resume(job.id).wait()
    assert result.status == "downloaded"
    assert service.counts["submits"] == 1


def test_identical_request_after_crash_follows_the_running_job(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    with make_client(service, isolated_env) as client:
        job = client.submit("a dog")
        result = client.generate("a dog")  # same request: follow the job already paid for
    assert result.job_id == job.id
    assert service.counts["submits"] == 1


def test_timeout_after_sending_is_unknown_and_never_resubmitted(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    def slow_submit(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            service(request)  # the provider accepted it ...
            raise httpx.ReadTimeout("no answer", request=request)  # ... but the answer was lost
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(slow_submit)) as client:
        with pytest.raises(SubmitOutcomeUnknown) as info:
            client.generate("a fox")
        assert client.resume(info.value.job_id or "").state == "unknown"
        with pytest.raises(SubmitOutcomeUnknown, match="identical request"):
            client.generate("a fox")
        with pytest.raises(SubmitOutcomeUnknown):
            client.resume(info.value.job_id or "").wait()
    assert service.counts["submits"] == 1


def test_refused_connection_is_retried_because_it_never_left(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    attempts = []

    def refusing(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and len(attempts) < 2:
            attempts.append(1)
            raise httpx.ConnectError("refused", request=request)
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(refusing)) as client:
        assert client.generate("an owl").status == "downloaded"
    assert len(attempts) == 2 and service.counts["submits"] == 1


@pytest.mark.parametrize(("status", "submits"), [(500, 1), (503, 1), (429, 3)])
def test_submit_retries_only_what_the_provider_refused(
    service: awkward.FakeService, isolated_env: Path, status: int, submits: int
) -> None:
    seen = []

    def failing(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            seen.append(1)
            return httpx.Response(status, headers={"retry-after": "0"}, json={"error": "busy"})
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(failing)) as client:
        with pytest.raises(ProviderError):
            client.generate("a bee")
        [job] = client.jobs()
        assert job.state == "failed"
    assert len(seen) == submits  # 5xx: maybe accepted, never resent; 429: refused, safe to resend


def test_transient_poll_errors_back_off_and_recover(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    flaky = iter([500, 429, 502])

    def sometimes(request: httpx.Request) -> httpx.Response:
        if (
            request.method == "GET"
            and request.url.path.startswith("/jobs/")
            and not request.url.path.endswith("content")
        ):
            code = next(flaky, None)
            if code:
                return httpx.Response(code, headers={"retry-after": "0"})
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(sometimes)) as client:
        assert client.generate("a bat").status == "downloaded"
    assert service.counts["submits"] == 1


def test_content_filtered_is_typed_and_journalled(isolated_env: Path) -> None:
    service = awkward.FakeService(outcome="blocked")
    with make_client(service, isolated_env) as client:
        with pytest.raises(ContentFiltered) as info:
            client.generate("something")
        assert info.value.exit_code == 3
        assert client.jobs()[0].state == "failed"


def test_deadline_raises_timeout_and_the_job_stays_resumable(isolated_env: Path) -> None:
    service = awkward.FakeService(polls=10_000)
    with make_client(service, isolated_env) as client:
        with pytest.raises(JobTimeout) as info:
            client.generate("slow", timeout=0.05)
        assert "jobs resume" in str(info.value)
        assert client.resume(info.value.job_id or "").state == "running"


def test_a_download_that_is_not_a_video_is_refused_and_leaves_nothing(
    service: awkward.FakeService, isolated_env: Path, tmp_path: Path
) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.awkward.test":
            return httpx.Response(
                200, text="<html>expired</html>", headers={"content-type": "text/html"}
            )
        return service(request)

    out = tmp_path / "dl"
    with make_client(service, isolated_env, transport=httpx.MockTransport(html)) as client:
        with pytest.raises(DownloadFailed, match="text/html"):
            client.generate("a cow", output=out / "cow.mp4")
        [job] = client.jobs()
        assert job.state == "succeeded"  # the video is still there to fetch: `jobs download`
    assert list(out.iterdir()) == []


def test_secrets_never_leak(
    service: awkward.FakeService, isolated_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="reelkit")
    with make_client(service, isolated_env) as client:
        plan = client.plan("a cat")
        assert KEY not in repr(plan) and KEY not in str(plan.to_dict())
        assert plan.http is not None and plan.http.headers["authorization"] == "Bearer ***"
        assert KEY not in repr(client.settings.credentials(client.host.provider("awkward").info))
        client.generate("a cat")
    with (
        make_client(service, isolated_env, key="wrong-key-456") as client,
        pytest.raises(AuthenticationFailed) as info,
    ):
        client.generate("a dog")
    assert "wrong-key-456" not in str(info.value)
    journal = (isolated_env / "jobs.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in isolated_env.glob("jobs.sqlite3-*")
    )
    assert KEY.encode() not in journal and b"wrong-key-456" not in journal
    assert KEY not in caplog.text


def test_missing_credentials_name_the_variable_but_plan_still_works(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    with make_client(service, isolated_env, key=None) as client:
        plan = client.plan("x", provider="awkward")
        assert plan.http is not None and plan.http.url == "https://api.awkward.test/jobs"
        with pytest.raises(MissingCredentials, match="AWKWARD_KEY") as info:
            client.generate("x", provider="awk")
        assert info.value.exit_code == 5
    assert service.counts["submits"] == 0


def test_auto_selection_prefers_credentials_then_capability(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    from reelkit_local import reelkit_register_providers  # noqa: F401  (the local plugin is installed)

    env = {"REELKIT_HOME": str(isolated_env), "AWKWARD_KEY": KEY, "REELKIT_LOAD_PLUGINS": "local"}
    with Client(env=env, plugins=[awkward]) as client:
        assert client.plan("x").provider == "awkward"
        # awkward cannot do first+last frames: the next qualifying provider is chosen, with reasons.
        image = awkward_png()
        plan = client.plan("x", first_frame=image, last_frame=image)
        assert plan.provider == "local"
        assert plan.notice and "awkward" in plan.notice and "last_frame" in plan.notice
    with Client(env={**env, "AWKWARD_KEY": ""}, plugins=[awkward]) as client:
        plan = client.plan("x")
        assert plan.provider == "local" and "no AWKWARD_KEY" in (plan.notice or "")


def awkward_png() -> bytes:
    from reelkit.testing import png_bytes

    return png_bytes(64, 64)


def test_async_client_fans_out(service: awkward.FakeService, isolated_env: Path) -> None:
    async def main() -> list[Any]:
        async with make_client(service, isolated_env, cls=AsyncClient) as client:
            return await asyncio.gather(*(client.generate(f"cat {i}") for i in range(20)))

    results = asyncio.run(main())
    assert {r.status for r in results} == {"downloaded"}
    assert service.counts["submits"] == 20 and service.counts["downloads"] == 20


def test_async_submit_refresh_wait(service: awkward.FakeService, isolated_env: Path) -> None:
    async def main() -> Any:
        async with make_client(service, isolated_env, cls=AsyncClient) as client:
            job = await client.submit("a yak")
            await job.refresh()
            assert job.state == "running"
            return await job.wait()

    assert asyncio.run(main()).status == "downloaded"


def test_journal_is_written_before_the_submit(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    states: list[str] = []

    def spy(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            with sqlite3.connect(isolated_env / "jobs.sqlite3") as db:
                states.extend(row[0] for row in db.execute("SELECT state FROM jobs"))
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(spy)) as client:
        client.generate("a gnu")
    assert states == [JobState.PENDING.value]


def test_cancel_where_the_provider_cannot(service: awkward.FakeService, isolated_env: Path) -> None:
    with make_client(service, isolated_env) as client:
        job = client.submit("a hen")
        with pytest.raises(InvalidRequest, match="cannot cancel"):
            job.cancel()


def test_config_file_capability_overrides(service: awkward.FakeService, isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text(
        '[providers.awkward]\nbase_url = "https://api.awkward.test"\n'
        "[providers.awkward.models.ties]\ndurations = [4]\ndefault_duration = 4\n"
    )
    with make_client(service, isolated_env) as client:
        plan = client.plan("x", duration=6)
        assert plan.request.duration == 4
        assert plan.adjustments[0].reason.startswith("ties (t2v) takes 4 s")
    (isolated_env / "config.toml").write_text("[providers.awkward.models.ties]\nlength = 3\n")
    with pytest.raises(InvalidRequest, match=r"providers\.awkward\.models\.ties: unknown keys"):
        make_client(service, isolated_env).plan("x", provider="awkward")


def test_a_provider_without_an_endpoint_is_skipped_and_named(isolated_env: Path) -> None:
    from reelkit import MissingBaseURL, ProviderInfo, hookimpl

    class Endless:
        """A self-hosted-gateway kind of provider: no default base URL."""

        @hookimpl
        def reelkit_register_providers(self, register: Any) -> None:
            info = ProviderInfo(
                name="endless",
                title="x",
                default_model="ties",
                credential_env=(("AWKWARD_KEY",),),
                priority=1,
            )
            register(info, models=awkward.MODELS)

        @hookimpl
        def reelkit_translate(
            self, provider: str, model: Any, request: Any, config: Any
        ) -> httpx.Request:
            return httpx.Request("POST", f"{config.base_url or 'https://unset.invalid'}/jobs")

    env = {"REELKIT_HOME": str(isolated_env), "AWKWARD_KEY": KEY, "REELKIT_LOAD_PLUGINS": "local"}
    with Client(env=env, plugins=[Endless()]) as client:
        plan = client.plan("x")
        assert plan.provider == "local" and "no REELKIT_ENDLESS_BASE_URL" in (plan.notice or "")
        assert not client.available("endless")
        with pytest.raises(MissingBaseURL, match="REELKIT_ENDLESS_BASE_URL") as info:
            client.generate("x", provider="endless")
        assert info.value.exit_code == 5


def test_when_nothing_qualifies_every_reason_is_named(isolated_env: Path) -> None:
    env = {"REELKIT_HOME": str(isolated_env), "REELKIT_LOAD_PLUGINS": "local"}
    with Client(env=env, plugins=[awkward]) as client, pytest.raises(InvalidRequest) as info:
        client.plan("x", first_frame="https://example.com/a.png")
    assert "awkward: no AWKWARD_KEY" in str(info.value)
    assert "local: first_frame" in str(info.value)  # local takes no image URLs


def test_downloads_follow_the_umask(service: awkward.FakeService, isolated_env: Path) -> None:
    import os

    with make_client(service, isolated_env) as client:
        path = Path(client.generate("a cat").path or "")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_key_echoed_in_an_error_is_masked_everywhere(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    def echoing(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(
                400, json={"error": f"bad request from {request.headers['authorization']}"}
            )
        return service(request)

    with make_client(service, isolated_env, transport=httpx.MockTransport(echoing)) as client:
        with pytest.raises(ProviderError) as info:
            client.generate("a newt")
        assert KEY not in str(info.value) and "Bearer ***" in str(info.value)
    journal = b"".join(p.read_bytes() for p in isolated_env.glob("jobs.sqlite3*"))
    assert KEY.encode() not in journal


def test_a_waiting_job_holds_no_request_response_or_plan(
    service: awkward.FakeService, isolated_env: Path
) -> None:
    # Thousands of jobs wait in one process for minutes: every object a waiting job keeps is
    # walked by each full garbage collection, the loop stopped meanwhile. Once submitted, a job
    # keeps its record and what polling needs, not its submit's request, answer or plan.
    import gc

    from reelkit.engine.selection import Prepared
    from reelkit.models import Plan

    prompt = "a heron waiting"

    def ours(o: object) -> bool:  # other tests' leftovers in this process are not this job's
        if isinstance(o, Prepared):
            o = o.plan
        if isinstance(o, Plan):
            return o.request.prompt == prompt
        if isinstance(o, httpx.Response):
            o = o._request
        if isinstance(o, httpx.Request):
            return o.url.host.endswith("awkward.test") and prompt.encode() in o.content
        return False

    def held() -> list[str]:
        gc.collect()
        return sorted({type(o).__name__ for o in gc.get_objects() if ours(o)})

    async def main() -> tuple[list[str], int]:
        async with make_client(service, isolated_env, cls=AsyncClient, poll_interval=600) as c:
            job = asyncio.ensure_future(c.generate(prompt))
            # Submitted, then asleep until its first poll (600 s away); wait for the flow to
            # let go of its submit, however slowly this machine gets there.
            for _ in range(200):
                await asyncio.sleep(0.05)
                if service.counts["submits"] and not held():
                    break
            left, polls = held(), service.counts["polls"]
            assert not job.done()
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job
            return left, polls

    left, polls = asyncio.run(main())
    assert service.counts["submits"] == 1 and polls == 0  # it was waiting, not finished
    assert left == []
