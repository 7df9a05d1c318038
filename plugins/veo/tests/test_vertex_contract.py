"""The core's contract suite for the vertex entry point (a second module of reelkit-veo)."""

from typing import Any, ClassVar

from reelkit.capabilities import Mode
from reelkit.models import SourceJob
from reelkit.testing import ProviderContract
from reelkit_veo.vertex import MODELS

# Vertex extends a Veo output by its gs:// URI (or its bytes), not an https URL.
_SOURCE = SourceJob(
    task_id="projects/p/locations/l/publishers/google/models/m/operations/1",
    job_id="rk_source",
    provider="vertex",
    video_url="gs://contract-bucket/source.mp4",
    duration=8,
)


class TestVertexContract(ProviderContract):
    plugin = "reelkit_veo.vertex"
    # Translation needs a project: what GOOGLE_CLOUD_PROJECT or [providers.vertex] supplies.
    options: ClassVar[dict[str, Any]] = {"project": "contract-project", "location": "us-central1"}
    mode_values: ClassVar[dict[tuple[str, str], dict[str, Any]]] = {
        (m.id, Mode.EXTEND.value): {"continue_from": _SOURCE}
        for m in MODELS
        if m.mode(Mode.EXTEND) is not None
    }
