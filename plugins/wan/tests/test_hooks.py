"""Registration and the hooks around a job: names, credentials, adoption, polling."""

from __future__ import annotations

from wan_helpers import TASK_ID, config, handle, model

from reelkit import Client
from reelkit.capabilities import Mode
from reelkit.models import VideoRequest
from reelkit_wan import reelkit_adopt_handle, reelkit_poll_request


def test_registration(tmp_path: object) -> None:
    with Client(env={"REELKIT_HOME": str(tmp_path)}) as client:
        for name in ("wan", "dashscope", "alibaba"):
            assert client.model(name).id == "wan2.5"
        info = next(p for p in client.providers() if p.name == "wan")
    assert info.priority == 12
    assert info.credential_env == (("DASHSCOPE_API_KEY",),)
    assert info.base_url_envs == ("REELKIT_WAN_BASE_URL", "DASHSCOPE_HTTP_BASE_URL")


def test_adopting_a_task_keeps_the_model_that_was_sent() -> None:
    request = VideoRequest(prompt="x", mode=Mode.I2V)
    job = reelkit_adopt_handle(model("wan2.5"), request, TASK_ID)
    assert (job.provider, job.task_id) == ("wan", TASK_ID)
    assert job.data == {"wire_model": "wan2.5-i2v-preview"}


def test_polling_goes_to_the_regions_tasks_api() -> None:
    http = reelkit_poll_request(handle(), config(region="virginia"))
    assert (http.method, str(http.url)) == (
        "GET",
        f"https://dashscope-us.aliyuncs.com/api/v1/tasks/{TASK_ID}",
    )
