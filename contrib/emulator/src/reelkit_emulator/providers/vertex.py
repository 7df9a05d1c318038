"""Fake of Google Veo on Vertex AI, with its OAuth token endpoint and Cloud Storage downloads.

Facts: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation
(the request and its Vertex-only parameters), google-genai 2.34's Vertex converters (what it
sends and reads) and RFC 7523 / Google's OAuth 2 for service accounts
(https://developers.google.com/identity/protocols/oauth2/service-account#httprest). The Veo
rules themselves (models, coupled durations and resolutions, references) are the Veo fake's
(:mod:`reelkit_emulator.providers.veo`), with Vertex's model ids.

Served at ``/vertex/...``:

- ``POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning``;
- ``POST .../models/{m}:fetchPredictOperation`` with ``{"operationName"}``: ``{"name"}`` while
  running, then ``response.videos[]``: ``{gcsUri, mimeType}`` when the request named a
  ``storageUri``, else ``{bytesBase64Encoded, mimeType}`` (the MP4 inline);
- ``POST /token``: the OAuth endpoint. The JWT-bearer grant's assertion must be RS256-signed by
  the key of a service account this fake issued (``GET /_emulator/service-account.json``, by
  ``kid``), with ``aud`` this endpoint and a cloud-platform ``scope``; the refresh-token grant
  (gcloud's ``authorized_user``) needs non-empty client id, secret and refresh token. Tokens
  expire after ``TOKEN_LIFETIME_S`` (``POST /_emulator/revoke`` drops them all at once);
- ``GET /storage/v1/b/{bucket}/o/{object}?alt=media``: the Cloud Storage JSON API for the
  ``gs://`` outputs, bearer-checked like the API.

Every API call needs ``Authorization: Bearer <a token from /token>``: none or an unknown or
expired one answers 401 ``UNAUTHENTICATED``. Triggers are the Veo fake's prompt markers.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, quote

import anyio
import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reelkit_emulator.errors import GOOGLE, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, json_body, json_response
from reelkit_emulator.tasks import Outcome, Task, VideoSpec

from . import veo

TOKEN_LIFETIME_S = 3600
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EXTENSION_SECONDS = 7
#: Vertex's ids: Veo's, with Lite's GA id (reelkit_veo.vertex.capabilities cites the source).
MODELS = {**veo.MODELS, "veo-3.1-lite-generate-001": veo.MODELS["veo-3.1-lite-generate-preview"]}
MODELS.pop("veo-3.1-lite-generate-preview")
VERTEX_ONLY = ("seed", "generateAudio", "storageUri")
RESPONSE_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"
_MODEL = "/v1/projects/{project}/locations/{location}/publishers/google/models/{model}"


def unauthenticated(message: str) -> ApiError:
    return ApiError(status=401, code="UNAUTHENTICATED", message=message)


@attrs.define
class Auth:
    """Keys this fake issued (by ``kid``) and the tokens it handed out (value -> expiry)."""

    keys: dict[str, Any] = attrs.field(factory=dict)
    tokens: dict[str, float] = attrs.field(factory=dict)
    grants: int = 0


def _start(ctx: ProviderContext) -> None:
    ctx.oauth = Auth()  # type: ignore[attr-defined]


def _state(ctx: ProviderContext) -> Auth:
    # One per app, made at its start: issued keys and tokens outlive a reset of the counters,
    # as a real token outlives a test's bookkeeping.
    state: Auth = ctx.oauth  # type: ignore[attr-defined]
    return state


def bearer(request: Request, ctx: ProviderContext) -> None:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        raise unauthenticated(
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential."
        )
    expiry = _state(ctx).tokens.get(token)
    if expiry is None or ctx.now() >= expiry:
        raise unauthenticated(
            "Request had invalid authentication credentials (expired or revoked)."
        )


# --------------------------------------------------------------------------------------------
# OAuth: the token endpoint and the service accounts it trusts
# --------------------------------------------------------------------------------------------


def _oauth_error(error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


async def _service_account(request: Request, ctx: ProviderContext) -> Response:
    """A fresh service-account key file whose ``token_uri`` is this fake's token endpoint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = await anyio.to_thread.run_sync(lambda: rsa.generate_private_key(65537, 2048))
    kid = secrets.token_hex(20)
    _state(ctx).keys[kid] = key.public_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    email = "reelkit-emulator@reelkit-emulator.iam.gserviceaccount.com"
    return json_response(
        {
            "type": "service_account",
            "project_id": "reelkit-emulator",
            "private_key_id": kid,
            "private_key": pem,
            "client_email": email,
            "client_id": "100000000000000000000",
            "token_uri": f"{ctx.base_url(request)}/token",
        }
    )


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _check_assertion(assertion: str, ctx: ProviderContext, audience: str) -> str | None:
    """Why the JWT is refused, or None: structure, RS256 signature by a known key, claims."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        head, body, sig = assertion.split(".")
        header, claims = json.loads(_b64(head)), json.loads(_b64(body))
        signature = _b64(sig)
    except ValueError:
        return "Invalid JWT: not three base64url JSON parts."
    if header.get("alg") != "RS256":
        return "Invalid JWT: alg must be RS256."
    key = _state(ctx).keys.get(str(header.get("kid")))
    if key is None:
        return "Invalid JWT Signature (unknown kid)."
    try:
        key.verify(signature, f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "Invalid JWT Signature."
    now = ctx.now()
    if claims.get("aud") != audience:
        return f"Invalid JWT: aud must be {audience}."
    if not isinstance(claims.get("iat"), int) or not isinstance(claims.get("exp"), int):
        return "Invalid JWT: iat and exp are required."
    if not claims["iat"] - 300 <= now < claims["exp"] or claims["exp"] - claims["iat"] > 3600:
        return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
    if SCOPE not in str(claims.get("scope", "")).split():
        return "Invalid OAuth scope or ID token audience provided."
    return None


async def _token(request: Request, ctx: ProviderContext) -> Response:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
    grant = form.get("grant_type")
    if grant == JWT_BEARER:
        why = _check_assertion(form.get("assertion", ""), ctx, f"{ctx.base_url(request)}/token")
        if why is not None:
            return _oauth_error("invalid_grant", why)
    elif grant == "refresh_token":
        if not all(form.get(k) for k in ("client_id", "client_secret", "refresh_token")):
            return _oauth_error(
                "invalid_request", "client_id, client_secret and refresh_token are required."
            )
    else:
        return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
    state = _state(ctx)
    state.grants += 1
    token = "ya29.emulator-" + secrets.token_urlsafe(24)
    state.tokens[token] = ctx.now() + TOKEN_LIFETIME_S
    return json_response(
        {"access_token": token, "expires_in": TOKEN_LIFETIME_S, "token_type": "Bearer"}
    )


async def _revoke(request: Request, ctx: ProviderContext) -> Response:
    state = _state(ctx)
    revoked = len(state.tokens)
    state.tokens.clear()
    return json_response({"revoked": revoked, "grants": state.grants})


async def _grants(request: Request, ctx: ProviderContext) -> Response:
    return json_response({"grants": _state(ctx).grants, "live": len(_state(ctx).tokens)})


# --------------------------------------------------------------------------------------------
# predictLongRunning, fetchPredictOperation
# --------------------------------------------------------------------------------------------


def _validate(
    model_id: str, body: Any, known: dict[str, Task]
) -> tuple[veo.GenerateSpec, str | None]:
    """Veo's rules on Vertex: Vertex-only parameters checked here, the rest by the Veo fake."""
    model = MODELS.get(model_id)
    if model is None:
        raise veo.not_found(
            f"Publisher Model `{model_id}` was not found or your project does not have access to it."
        )
    if not isinstance(body, dict) or not isinstance(body.get("parameters", {}), dict):
        raise veo.invalid("Invalid JSON payload received. Expected an object.")
    body = json.loads(json.dumps(body))  # a copy to strip what the Gemini API would refuse
    params = body.setdefault("parameters", {})
    seed, audio, storage = (params.pop(k, None) for k in VERTEX_ONLY)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32
    ):
        raise veo.invalid("parameters.seed must be a uint32.")
    if audio is not None and not isinstance(audio, bool):
        raise veo.invalid("parameters.generateAudio must be a boolean.")
    if audio is not None and model.family == "2.0":
        raise veo.invalid("generateAudio isn't supported by veo-2.0-generate-001.")
    if storage is not None and (
        not isinstance(storage, str) or not storage.startswith("gs://") or len(storage) < 6
    ):
        raise veo.invalid("parameters.storageUri must be a gs:// URI.")
    instances = body.get("instances")
    video = (
        instances[0].pop("video", None)
        if isinstance(instances, list) and instances and isinstance(instances[0], dict)
        else None
    )
    if video is None:
        spec = veo.validate_generate(_gemini_id(model_id), body)
        if spec.mode == "reference" and spec.aspect_ratio != "16:9":
            # Vertex's Veo 3.1 page: "9:16, except for reference image to video".
            raise veo.invalid("Reference images to video support only aspectRatio 16:9.")
        return spec, storage
    return _extension(model_id, model, body, video, known), storage


def _gemini_id(model_id: str) -> str:
    return "veo-3.1-lite-generate-preview" if model_id == "veo-3.1-lite-generate-001" else model_id


def _extension(
    model_id: str, model: veo.VeoModel, body: dict[str, Any], video: Any, known: dict[str, Task]
) -> veo.GenerateSpec:
    if not model.extension:
        raise veo.invalid(f"Video extension isn't supported by {model_id}.")
    inst = body["instances"][0]
    if any(k in inst for k in ("image", "lastFrame", "referenceImages")):
        raise veo.invalid("video cannot be combined with image, lastFrame or referenceImages.")
    if not isinstance(video, dict) or ("gcsUri" in video) == ("bytesBase64Encoded" in video):
        raise veo.invalid("instances[0].video needs exactly one of gcsUri and bytesBase64Encoded.")
    source_seconds, source_aspect = 8.0, None
    if "gcsUri" in video:
        task = known.get(str(video["gcsUri"]))
        if task is None or not task.succeeded:
            raise veo.invalid(
                f"The input video {video['gcsUri']} does not exist or is not a Veo output."
            )
        spec: veo.GenerateSpec = task.extra["spec"]
        source_seconds, source_aspect = task.video.duration, spec.aspect_ratio
    params = body["parameters"]
    if params.get("resolution", "720p") != "720p":
        raise veo.invalid("Video extension only supports 720p.")
    if int(params.get("durationSeconds", 8)) != 8:
        raise veo.invalid("durationSeconds must be 8 with extension.")
    aspect = params.get("aspectRatio") or source_aspect or "16:9"
    if source_aspect and aspect != source_aspect:
        raise veo.invalid(f"aspectRatio must match the input video ({source_aspect}).")
    width, height = veo.SIZES[("720p", aspect)]
    return veo.GenerateSpec(
        model_id=model_id,
        model=model,
        mode="extension",
        prompt=str(inst.get("prompt") or ""),
        aspect_ratio=aspect,
        resolution="720p",
        duration=8,
        output_seconds=source_seconds + EXTENSION_SECONDS,
        samples=1,
        width=width,
        height=height,
    )


def _outputs(ctx: ProviderContext) -> dict[str, Task]:
    """``gs://`` URI -> the task whose output it is."""
    return {uri: t for t in ctx.store for uri in t.extra.get("gcs", [])}


async def _generate(request: Request, ctx: ProviderContext) -> Response:
    bearer(request, ctx)
    p = request.path_params
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise veo.invalid(f"Invalid JSON payload received. {exc}") from None
    spec, storage = _validate(p["model"], body, _outputs(ctx))
    op = str(secrets.randbelow(10**19)).zfill(19)  # Vertex operation ids are long decimals
    gcs = (
        [f"{storage.rstrip('/')}/{op}/sample_{i}.mp4" for i in range(spec.samples)]
        if storage
        else []
    )
    task = ctx.create_task(
        request,
        model=p["model"],
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.output_seconds, width=spec.width, height=spec.height),
        params=body,
        id_factory=lambda: op,
        extra={"spec": spec, "gcs": gcs},
    )
    name = f"projects/{p['project']}/locations/{p['location']}/publishers/google/models/{p['model']}/operations/{task.id}"
    return json_response({"name": name})


async def _fetch_operation(request: Request, ctx: ProviderContext) -> Response:
    bearer(request, ctx)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise veo.invalid(f"Invalid JSON payload received. {exc}") from None
    name = body.get("operationName") if isinstance(body, dict) else None
    p = request.path_params
    prefix = f"projects/{p['project']}/locations/{p['location']}/publishers/google/models/{p['model']}/operations/"
    if not isinstance(name, str) or not name.startswith(prefix):
        raise veo.invalid("operationName must name an operation of this model.")
    known = ctx.store.get(name.removeprefix(prefix))
    task = ctx.store.poll(known.id) if known is not None else None
    if task is None:
        raise veo.not_found(f"Operation {name} not found.")
    out: dict[str, Any] = {"name": name}
    if not task.phase.terminal:
        return json_response(out)
    out["done"] = True
    if task.outcome is Outcome.FAILED:
        out["error"] = {
            "code": 13,
            "message": "Video generation failed due to an internal error. [reelkit emulator]",
        }
        return json_response(out)
    result: dict[str, Any] = {"@type": RESPONSE_TYPE}
    if task.outcome is Outcome.MODERATION:
        result.update(raiMediaFilteredCount=1, raiMediaFilteredReasons=[veo.RAI_REASON])
    elif task.extra["gcs"]:
        result["videos"] = [{"gcsUri": uri, "mimeType": "video/mp4"} for uri in task.extra["gcs"]]
    else:
        path = await anyio.to_thread.run_sync(ctx.media.video_path, task.video, ctx.fps)
        data = base64.b64encode(await anyio.Path(path).read_bytes()).decode()
        ctx.stats.incr("downloads")  # the bytes travel with the answer
        result["videos"] = [{"bytesBase64Encoded": data, "mimeType": "video/mp4"}]
    out["response"] = result
    return json_response(out)


async def _storage_object(request: Request, ctx: ProviderContext) -> Response:
    """The Cloud Storage JSON API's ``objects.get?alt=media`` for this fake's outputs."""
    bearer(request, ctx)
    uri = f"gs://{request.path_params['bucket']}/{request.path_params['object']}"
    if request.query_params.get("alt") != "media":
        raise veo.invalid("Only alt=media downloads are emulated.")
    task = _outputs(ctx).get(uri)
    if task is None or not task.succeeded or ctx.expired(task):
        raise veo.not_found(f"No such object: {quote(uri.removeprefix('gs://'))}")
    return await ctx.video_response(task, uri.rsplit("/", 1)[-1])


FAKE = ProviderFake(
    name="vertex",
    endpoints=[
        Endpoint(_MODEL + ":predictLongRunning", _generate, ("POST",), "submit"),
        Endpoint(_MODEL + ":fetchPredictOperation", _fetch_operation, ("POST",), "poll"),
        Endpoint("/storage/v1/b/{bucket}/o/{object:path}", _storage_object, ("GET",), "download"),
        Endpoint("/token", _token, ("POST",), "other"),
        Endpoint("/_emulator/service-account.json", _service_account, ("GET",), "other"),
        Endpoint("/_emulator/revoke", _revoke, ("POST",), "other"),
        Endpoint("/_emulator/grants", _grants, ("GET",), "other"),
    ],
    # Project and region; a real key file or gcloud login of yours is masked (blank key file,
    # an absent gcloud directory), so a test never reaches Google's token endpoint. The key
    # this fake trusts comes from GET /vertex/_emulator/service-account.json.
    credentials={
        "GOOGLE_CLOUD_PROJECT": "reelkit-emulator",
        "GOOGLE_CLOUD_LOCATION": "us-central1",
        "GOOGLE_APPLICATION_CREDENTIALS": "",
        "CLOUDSDK_CONFIG": "reelkit-emulator-no-gcloud",
    },
    credentials_note=(
        "vertex needs a key file: curl -o sa.json $REELKIT_VERTEX_BASE_URL/_emulator/service-account.json "
        "&& export GOOGLE_APPLICATION_CREDENTIALS=$PWD/sa.json"
    ),
    dialect=GOOGLE,
    rate_limited=ApiError(
        status=429,
        code="RESOURCE_EXHAUSTED",
        message="Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.",
    ),
    server_error=ApiError(status=500, code="INTERNAL", message="Internal error encountered."),
    expired=veo.not_found("No such object (expired)."),
    url_ttl=veo.FILE_TTL_SECONDS,
    natural_fps=24,
    on_start=_start,
    description="Google Veo on Vertex AI (predictLongRunning, fetchPredictOperation, OAuth, GCS)",
)
