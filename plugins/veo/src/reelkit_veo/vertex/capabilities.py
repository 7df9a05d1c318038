"""What Veo on Vertex AI accepts, as data: Veo's own models and rules, with Vertex's ids.

The models are the veo plugin's (``reelkit_veo.capabilities``): the same modes, the same coupled
duration/resolution rules (1080p and 4k need 8 s, references and extension 8 s at 720p), the
same prompt bound. What differs on Vertex, with its source:

- [vertex-ref] https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation
  (read 2026-12-02 through a stored copy): ``predictLongRunning`` on
  ``https://LOCATION-aiplatform.googleapis.com/v1/projects/PROJECT/locations/LOCATION/publishers/google/models/MODEL``;
  ``parameters`` also take ``seed`` (uint32), ``generateAudio`` and ``storageUri`` (a ``gs://``
  prefix for the outputs; without it the videos come back inline as base64);
- [vertex-3.1] https://cloud.google.com/vertex-ai/generative-ai/docs/models/veo/3-1-generate
  (page "Last updated 2025-11-07", read 2026-12-02): ``veo-3.1-generate-preview`` and
  ``veo-3.1-fast-generate-preview``, 4/6/8 s, 24 fps, reference images only at 8 s;
- [litellm-vertex] https://docs.litellm.ai/docs/providers/vertex_ai/videos (updated
  2026-10-09): ``veo-3.1-lite-generate-001`` is the Lite id on Vertex (the Gemini API's is
  ``-preview``); ``veo-3.0-*-001`` and ``veo-2.0-generate-001`` are served on Vertex too;
- [genai-vertex] google-genai 2.34.0 ``_GenerateVideosConfig_to_vertex`` (installed in the
  workspace): the body keys above, images as ``{bytesBase64Encoded|gcsUri, mimeType}``, the
  result as ``response.videos[]`` of ``{gcsUri|bytesBase64Encoded, mimeType}``.

Prices: the Vertex AI pricing page (https://cloud.google.com/vertex-ai/generative-ai/pricing)
was not among the stored pages (searched 2026-12-02 for "Vertex AI pricing Veo" and "Veo 3.1
video + audio per second"); only third parties quote it, and they disagree (with and without
audio, per tier). Every rate is therefore ``amount=None``: plans say "unpriced" rather than
guess, and ``--max-cost`` needs ``--allow-unpriced``.
"""

from __future__ import annotations

from datetime import date

import attrs

from reelkit.capabilities import Audio, Mode, ModelInfo, ModeSpec, Param, ProviderInfo
from reelkit.pricing import Pricing, Rate
from reelkit_veo import capabilities as veo

NAME = "vertex"
#: The global endpoint; a regional location uses ``https://{location}-aiplatform.googleapis.com``
#: ([vertex-ref]; "global" has no region prefix:
#: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations).
BASE_URL = "https://aiplatform.googleapis.com"
#: The Cloud Storage JSON API, which serves ``gs://`` outputs to a bearer token
#: (https://cloud.google.com/storage/docs/json_api/v1/objects/get, ``alt=media``).
STORAGE_URL = "https://storage.googleapis.com"
DEFAULT_LOCATION = "us-central1"  # the region of Google's own Veo REST examples [vertex-ref]
API_VERSION = "v1"  # [vertex-ref]
OAUTH_SCOPE = "https://www.googleapis.com/auth/cloud-platform"  # google-genai's Vertex scope
PROJECT_ENV = "GOOGLE_CLOUD_PROJECT"
LOCATION_ENV = "GOOGLE_CLOUD_LOCATION"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
MAX_SEED = 2**32 - 1  # [vertex-ref] seed: uint32

PRICING_URL = "https://cloud.google.com/vertex-ai/generative-ai/pricing"
UNPRICED = Pricing(
    currency="USD",
    rates=(Rate(amount=None, note="Vertex AI's Veo prices were not verifiable offline"),),
    source=PRICING_URL,
    as_of=date(2026, 12, 2),
    note="not found among the stored pages on 2026-12-02; see the module docstring",
)

_NOTE = "— seed and the audio switch are sent on Vertex; outputs inline or to storage_uri (gs://)"

#: Veo's notes that speak of the Gemini API, in Vertex's words [vertex-ref].
_MODE_NOTES = {
    Mode.REFERENCE: "asset references; a prompt is required",
    Mode.EXTEND: (
        "continue_from a vertex job (its gs:// or inline output) or a gs:// URI; "
        "up to 20 extensions, input ≤141 s"
    ),
}

#: Gemini API id -> Vertex id, where they differ [litellm-vertex].
VERTEX_IDS = {"veo-3.1-lite-generate-preview": "veo-3.1-lite-generate-001"}


PARAMS: tuple[Param, ...] = (
    Param(
        name="storage_uri",
        type="str",
        description="gs://bucket/prefix for the outputs (parameters.storageUri); else inline",
    ),
    Param(name="storageUri", type="str", description="same as storage_uri"),
)


def _vertex_mode(spec: ModeSpec) -> ModeSpec:
    spec = attrs.evolve(spec, note=_MODE_NOTES.get(spec.mode, spec.note))
    if spec.mode is Mode.REFERENCE:
        # [vertex-3.1] aspect ratios: "9:16, except for reference image to video".
        variants = tuple(attrs.evolve(v, aspect_ratios=("16:9",)) for v in spec.variants)
        spec = attrs.evolve(spec, variants=variants)
    return spec


def _vertex(model: ModelInfo) -> ModelInfo:
    vertex_id = VERTEX_IDS.get(model.id, model.id)
    aliases = model.aliases + ((model.id,) if vertex_id != model.id else ())
    sound = model.audio is not Audio.NONE
    return attrs.evolve(
        model,
        id=vertex_id,
        modes=tuple(_vertex_mode(spec) for spec in model.modes),
        aliases=aliases,
        title=model.title.replace(" (deprecated)", ""),
        supports_seed=True,  # [vertex-ref] parameters.seed
        # [vertex-ref] parameters.generateAudio on Veo 3.x; Veo 2 is silent.
        audio=Audio.OPTIONAL if sound else Audio.NONE,
        params=model.params + PARAMS,
        price=UNPRICED,
        url_lifetime_s=None,  # inline bytes, or your own bucket: nothing expires on Google's side
        notes=_NOTE,
    )


MODELS: tuple[ModelInfo, ...] = tuple(_vertex(m) for m in veo.MODELS)
SENDS_RESOLUTION = frozenset(VERTEX_IDS.get(i, i) for i in veo.SENDS_RESOLUTION)

PROVIDER = ProviderInfo(
    name=NAME,
    title="Google Veo (Vertex AI)",
    default_model=veo.DEFAULT_MODEL,  # [vertex-3.1] the same preview id
    priority=8,  # after the first eight providers (docs/design.md §1.8)
    # A key file (service account or any ADC file) and the project to bill; or the project
    # alone, with gcloud's ADC file at its well-known path (found by the auth, not the env).
    credential_env=((CREDENTIALS_ENV, PROJECT_ENV), (PROJECT_ENV,)),
    base_url=BASE_URL,
    option_env=(
        ("project", PROJECT_ENV),
        ("location", LOCATION_ENV),
        ("gcloud_config", "CLOUDSDK_CONFIG"),  # gcloud's config directory, if moved
    ),
    signed_origins=(STORAGE_URL,),
    poll_interval_s=veo.PROVIDER.poll_interval_s,  # the same model and queue as on the Gemini API
    timeout_s=veo.PROVIDER.timeout_s,
    homepage="https://cloud.google.com/vertex-ai/generative-ai/docs/video/overview",
    notes=(
        "Veo on Vertex AI: OAuth 2 from Application Default Credentials (a service-account "
        "file or gcloud's), project and location from GOOGLE_CLOUD_PROJECT and "
        "GOOGLE_CLOUD_LOCATION (default us-central1). google-genai 3.x offers Veo only here."
    ),
)
