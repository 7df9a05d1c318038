"""The core's promises at their edges: never pay twice, never lose a task id, never save a
broken file, never block the event loop, only typed errors. Each test reproduces a breakage
seen against the first round's core (against the in-memory ``awkward`` service)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import awkward
import httpx
import pytest

from reelkit import AsyncClient, Client
from reelkit.engine import files as engine_files
from reelkit.errors import (
    DownloadFailed,
    JobFailed,
    JournalError,
    NetworkError,
    OutputError,
    ProviderError,
    RateLimited,
    ReelkitError,
    SubmitOutcomeUnknown,
)
from reelkit.models import JobState
from reelkit.retry import POLL_ERRORS

KEY = "sekrit-key-123"


def make(service: Any, home: Path, cls: Any = Client, **kwargs: Any) -> Any:
    env = {"REELKIT_HOME": str(home), "AWKWARD_KEY": KEY}
    return cls(
        env=env, plugins=[awkward], entry_points=False, transport=service.transport(), **kwargs
    )


class Scripted(awkward.FakeService):
    """The awkward service, with a hook to answer some requests differently."""

    def __init__(self, answer: Callable[[httpx.Request, int], httpx.Response | None]) -> None:
        super().__init__()
        self.answer = answer
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        kind = _kind(request)
        self.seen.append(kind)
        special = self.answer(request, self.seen.count(kind))
        if special is not None:
            return special
        return super().__call__(request)


def _kind(request: httpx.Request) -> str:
    if request.url.host == "cdn.awkward.test":
        return "download"
    if request.method == "POST":
        return "submit"
    return "content" if request.url.path.endswith("/content") else "poll"


# --- never pay twice under concurrency ---------------------------------------------------


class SlowSubmit(awkward.FakeService):
    """Holds each submit in flight, so identical requests arrive while it is still pending."""

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            await asyncio.sleep(0.2)
        return self(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def test_gathered_identical_async_generates_pay_once(isolated_env: Path, tmp_path: Path) -> None:
    service = SlowSubmit()

    async def main() -> list[Any]:
        async with make(service, isolated_env, AsyncClient) as client:
            return list(
                await asyncio.gather(
                    *(client.generate("a cat", output=tmp_path / "cat.mp4") for _ in range(4))
                )
            )

    results = asyncio.run(main())
    assert service.counts["submits"] == 1
    assert {r.job_id for r in results} == {results[0].job_id}
    assert {r.status for r in results} == {"downloaded"}


def test_threads_with_their_own_clients_pay_once(isolated_env: Path, tmp_path: Path) -> None:
    service = awkward.FakeService()
    lock = threading.Lock()
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run() -> None:
        try:
            with make(service, isolated_env) as client:
                start.wait()
                result = client.generate("a dog", output=tmp_path / "dog.mp4")
            with lock:
                results.append(result)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert service.counts["submits"] == 1
    assert len({r.job_id for r in results}) == 1


def test_a_dead_claimant_leaves_the_job_unknown_and_unpaid(isolated_env: Path) -> None:
    service = awkward.FakeService()
    with make(service, isolated_env) as client:
        plan = client.plan("a fox")
        from reelkit.engine.submitting import _fingerprint

        _, created = client.journal.create(
            job_id="rk_deadclaimant",
            provider=plan.provider,
            model=plan.model,
            mode=plan.mode.value,
            fingerprint=_fingerprint(plan),
            request=plan.request,
            adjustments=plan.adjustments,
            output=None,
            owner="some-other-host:4242:feedbeef",
            lease_s=-1.0,  # its lease ran out: the claimant is gone
        )
        assert created
        with pytest.raises(SubmitOutcomeUnknown) as info:
            client.generate("a fox")
        assert info.value.job_id == "rk_deadclaimant"
        assert client.journal.get("rk_deadclaimant").state is JobState.UNKNOWN
    assert service.counts["submits"] == 0


def test_submit_outcome_unknown_is_not_a_job_failure() -> None:
    # `except JobFailed: resubmit` must never catch a submit that may have been billed.
    assert not issubclass(SubmitOutcomeUnknown, JobFailed)
    assert issubclass(SubmitOutcomeUnknown, ReelkitError)


# --- the task id of a paid submit is never lost ---------------------------------------------


def test_a_failing_journal_after_a_paid_submit_keeps_the_task_id(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = awkward.FakeService()
    with make(service, isolated_env) as client:
        journal = client.journal
        real_update = journal.update

        def broken_update(record: Any, **changes: Any) -> Any:
            if changes.get("state") is JobState.SUBMITTED:
                raise JournalError("disk full", path="jobs.sqlite3")
            return real_update(record, **changes)

        journal.update = broken_update  # type: ignore[method-assign]
        with pytest.raises(JournalError) as info:
            client.generate("a hen")
        journal.update = real_update  # type: ignore[method-assign]
        error = info.value
        assert error.task_id == "t1" and error.job_id
        assert "t1" in capsys.readouterr().err
        lines = (isolated_env / "recovery.jsonl").read_text().splitlines()
        entry = json.loads(lines[-1])
        assert (entry["job_id"], entry["task_id"]) == (error.job_id, "t1")
        assert KEY not in lines[-1]
        # Once the journal works again, the job is adopted and finished: still one submit.
        assert client.journal.get(error.job_id).state is JobState.PENDING
        client.adopt(error.job_id, "t1").wait()
    assert service.counts["submits"] == 1


# --- nothing paid for a file that cannot be saved --------------------------------------------


def test_an_unwritable_output_fails_before_the_submit(isolated_env: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    service = awkward.FakeService()
    with make(service, isolated_env) as client, pytest.raises(OutputError) as info:
        client.generate("a cow", output=blocker / "cow.mp4")
    assert "is a file" in str(info.value)
    assert service.counts["submits"] == 0


def test_an_output_that_is_a_directory_name_gets_a_file_inside(
    isolated_env: Path, tmp_path: Path
) -> None:
    service = awkward.FakeService()
    with make(service, isolated_env) as client:
        result = client.generate("a cow", output=tmp_path)
    assert Path(result.path).parent == tmp_path


# --- broken downloads are never saved, and are tried again -----------------------------------


def _short(request: httpx.Request, n: int) -> httpx.Response | None:
    if _kind(request) == "download" and n == 1:  # the first attempt ends a third of the way in
        body = awkward.tiny_mp4()
        return httpx.Response(
            200,
            content=body[: len(body) // 3],
            headers={"content-type": "video/mp4", "content-length": str(len(body))},
        )
    return None


def test_a_short_download_is_fetched_again_and_saved_whole(
    isolated_env: Path, tmp_path: Path
) -> None:
    service = Scripted(_short)
    with make(service, isolated_env) as client:
        result = client.generate("a pig", output=tmp_path / "pig.mp4")
    assert Path(result.path).read_bytes() == awkward.tiny_mp4()
    assert service.seen.count("download") == 2
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".reelkit-*"))


def _no_moov(request: httpx.Request, n: int) -> httpx.Response | None:
    if _kind(request) == "download":  # ends cleanly, chunked, after the ftyp box: no moov
        return httpx.Response(
            200, content=awkward.tiny_mp4()[:40], headers={"content-type": "video/mp4"}
        )
    return None


def test_a_truncated_mp4_is_refused_and_the_job_stays_resumable(
    isolated_env: Path, tmp_path: Path
) -> None:
    service = Scripted(_no_moov)
    target = tmp_path / "owl.mp4"
    with make(service, isolated_env) as client:
        with pytest.raises(DownloadFailed) as info:
            client.generate("an owl", output=target)
        assert info.value.retryable
        assert "damaged" in str(info.value)
        job_id = client.records()[0].id
        assert client.journal.get(job_id).state is JobState.SUCCEEDED
    assert not target.exists()
    assert not list(tmp_path.glob(".reelkit-*"))
    assert service.seen.count("download") == 3  # bounded: the documented download attempts
    with make(awkward.FakeService(), isolated_env) as client:
        assert Path(client.job(job_id).download().path or "").read_bytes() == awkward.tiny_mp4()


def test_leftover_partial_files_of_a_job_are_removed_when_it_is_fetched(
    isolated_env: Path, tmp_path: Path
) -> None:
    service = awkward.FakeService()
    with make(service, isolated_env) as client:
        job = client.submit("a bee", output=tmp_path / "bee.mp4")
        job.wait(download=False)  # finished at the provider; as if killed while downloading
        leftover = tmp_path / f".reelkit-{job.id}-killed.part"
        leftover.write_bytes(b"half a video")
        client.resume(job.id).wait()
    assert not leftover.exists()
    assert (tmp_path / "bee.mp4").is_file()


# --- one retry policy, bounded ----------------------------------------------------------------


def test_a_persistently_failing_poll_costs_a_bounded_number_of_requests(
    isolated_env: Path,
) -> None:
    def failing(request: httpx.Request, n: int) -> httpx.Response | None:
        return httpx.Response(503, json={"error": "down"}) if _kind(request) == "poll" else None

    service = Scripted(failing)
    with make(service, isolated_env) as client:
        with pytest.raises(ProviderError):
            client.generate("a yak")
        job = client.records()[0]
    assert service.seen.count("poll") == POLL_ERRORS
    assert job.state is JobState.SUBMITTED  # nothing about the job changed: still resumable


def test_a_rate_limited_submit_is_tried_a_bounded_number_of_times(isolated_env: Path) -> None:
    def limited(request: httpx.Request, n: int) -> httpx.Response | None:
        if _kind(request) == "submit":
            return httpx.Response(429, json={"error": "slow down"}, headers={"retry-after": "0"})
        return None

    service = Scripted(limited)
    with make(service, isolated_env) as client, pytest.raises(RateLimited):
        client.generate("a gnu")
    assert service.seen.count("submit") == 3


def test_a_reset_after_sending_is_never_resent(isolated_env: Path) -> None:
    def reset(request: httpx.Request, n: int) -> httpx.Response | None:
        if _kind(request) == "submit":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return None

    service = Scripted(reset)
    with make(service, isolated_env) as client:
        with pytest.raises(SubmitOutcomeUnknown):
            client.generate("an elk")
        with pytest.raises(SubmitOutcomeUnknown, match="identical request"):
            client.generate("an elk")
    assert service.seen.count("submit") == 1


# --- the event loop never waits on the disk ---------------------------------------------------


def test_the_async_client_keeps_journal_and_file_work_off_the_loop(
    isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_loop: list[str] = []
    loop_thread: list[threading.Thread] = []

    def watch(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if loop_thread and threading.current_thread() is loop_thread[0]:
                on_loop.append(name)
            return func(*args, **kwargs)

        return wrapper

    for name in ("verify_and_place", "prove_writable", "remove_partials", "atomic_copy"):
        monkeypatch.setattr(engine_files, name, watch(name, getattr(engine_files, name)))
    stalls: list[float] = []

    async def probe(stop: asyncio.Event) -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append(time.perf_counter() - before - 0.005)

    async def main() -> list[Any]:
        loop_thread.append(threading.current_thread())
        async with make(awkward.FakeService(), isolated_env, AsyncClient) as client:
            journal = client.journal
            for method in ("create", "update", "update_if", "get", "by_fingerprint", "list"):
                setattr(journal, method, watch(f"journal.{method}", getattr(journal, method)))
            stop = asyncio.Event()
            watcher = asyncio.create_task(probe(stop))
            results = await asyncio.gather(
                *(client.generate(f"clip {i}", output=tmp_path) for i in range(200))
            )
            stop.set()
            await watcher
            return list(results)

    results = asyncio.run(main())
    assert len({r.job_id for r in results}) == 200
    assert on_loop == []
    # The worst stall is reported, not asserted: a timing assertion would make CI flaky.
    print(f"loop-lag probe: worst stall {max(stalls) * 1000:.1f} ms over {len(stalls)} ticks")


# --- only typed errors leave a public verb ----------------------------------------------------

TRANSPORT_FAULTS = [
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("timed out"),
    httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    httpx.ReadError("connection reset by peer"),
    httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'"),
]


@pytest.mark.parametrize("stage", ["submit", "poll", "download"])
@pytest.mark.parametrize("fault", TRANSPORT_FAULTS, ids=lambda e: type(e).__name__)
def test_transport_faults_surface_as_typed_errors(
    isolated_env: Path, tmp_path: Path, stage: str, fault: Exception
) -> None:
    def raising(request: httpx.Request, n: int) -> httpx.Response | None:
        if _kind(request) == stage:
            raise type(fault)(str(fault), request=request)
        return None

    service = Scripted(raising)
    with make(service, isolated_env) as client:
        with pytest.raises(ReelkitError) as info:
            client.generate("a ram", output=tmp_path)
        assert not isinstance(info.value, JobFailed) or stage != "submit"
        for verb in (
            lambda: client.submit("a ram", output=tmp_path, force=True).wait(),
            lambda: [client.resume(r.id).wait() for r in client.records()],
            lambda: [client.job(r.id).refresh() for r in client.records()],
            lambda: [client.job(r.id).download() for r in client.records()],
            lambda: [client.job(r.id).cancel() for r in client.records()],
        ):
            with contextlib.suppress(ReelkitError):
                verb()
    if stage == "submit" and isinstance(fault, (httpx.ConnectError,)):
        assert isinstance(info.value, NetworkError)
    if stage == "submit" and isinstance(fault, (httpx.ReadTimeout, httpx.RemoteProtocolError)):
        assert isinstance(info.value, SubmitOutcomeUnknown)
    if stage == "download":
        assert isinstance(info.value, DownloadFailed)


def test_a_damaged_journal_is_a_typed_error_for_every_verb(isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "jobs.sqlite3").write_bytes(os.urandom(4096))
    with make(awkward.FakeService(), isolated_env) as client:
        for verb in (
            lambda: client.generate("a bat"),
            lambda: client.submit("a bat"),
            lambda: client.resume("rk_x"),
            lambda: client.records(),
            lambda: client.result("rk_x"),
            lambda: client.adopt("rk_x", "t1"),
            lambda: client.reconcile("rk_x"),
        ):
            with pytest.raises(JournalError, match="not a reelkit journal"):
                verb()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"duration": "abc"}, "duration"),
        ({"seed": "7"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"first_frame": 12}, "first_frame"),
        ({"fps": 24.5}, "fps"),
        ({"audio": "yes"}, "audio"),
        ({"reference_images": "a.png"}, "reference_images"),
        ({"first_frame": "ftp://example.com/a.png"}, "first_frame"),
        ({"first_frame": "file:///etc/passwd"}, "first_frame"),
        ({"first_frame": b"junk"}, "first_frame"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_arguments_are_typed_errors_naming_the_field(
    isolated_env: Path, options: dict[str, Any], field: str
) -> None:
    from reelkit.errors import InvalidRequest

    service = awkward.FakeService()
    with make(service, isolated_env) as client, pytest.raises(InvalidRequest) as info:
        client.generate("a ewe", **options)
    assert info.value.field.startswith(field)
    assert service.counts["submits"] == 0


@pytest.mark.parametrize("prompt", ["nul \x00 byte", "lone \ud800 surrogate"])
def test_prompts_the_wire_cannot_carry_are_refused(isolated_env: Path, prompt: str) -> None:
    from reelkit.errors import InvalidRequest

    service = awkward.FakeService()
    with make(service, isolated_env) as client, pytest.raises(InvalidRequest, match="prompt"):
        client.generate(prompt)
    assert service.counts["submits"] == 0


# --- nothing leaks ---------------------------------------------------------------------------


def test_module_level_submit_and_resume_close_what_they_open(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import reelkit

    job = reelkit.submit("a gnat", provider="local", duration=1, output=tmp_path)
    client = job._client
    result = job.wait()
    assert result.status == "downloaded"
    assert client._engine._journal is None and not client._pool  # closed by wait()
    with reelkit.resume(result.job_id) as again:
        assert again.state == "downloaded"
    assert again._client._engine._journal is None


def test_a_disk_fault_during_the_download_keeps_the_job_resumable(
    isolated_env: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    service = awkward.FakeService()
    with make(service, isolated_env) as client:
        job = client.submit("a mole", output=folder / "mole.mp4")
        folder.rmdir()
        folder.write_text("the folder became a file after the submit")  # the disk's fault
        with pytest.raises(OutputError) as info:
            job.wait()
        assert info.value.job_id == job.id
        assert client.journal.get(job.id).state is JobState.SUCCEEDED
        folder.unlink()
        result = client.job(job.id).download()
    assert Path(result.path or "").read_bytes() == awkward.tiny_mp4()
    assert service.counts["submits"] == 1


def test_the_async_client_raises_the_same_typed_errors(isolated_env: Path) -> None:
    def reset(request: httpx.Request, n: int) -> httpx.Response | None:
        if _kind(request) == "poll":
            raise httpx.ReadError("connection reset by peer", request=request)
        return None

    async def main() -> None:
        async with make(Scripted(reset), isolated_env, AsyncClient) as client:
            with pytest.raises(NetworkError):
                await client.generate("a vole")
            job = client.jobs()[0]
            with pytest.raises(NetworkError):
                await job.wait()
            with pytest.raises(NetworkError):
                await job.refresh()

    asyncio.run(main())
