"""Error envelopes, one per API dialect, and the one exception every fake raises.

A handler (or a field spec, see :mod:`.spec`) raises :class:`ApiError` with what went wrong:
an HTTP status, a message and the dialect's own fields (``code``, ``param``, ``type``). The
framework renders it in the fake's :class:`Dialect` (or the error's own, for a fake that speaks
two, like new-api's relay and middleware) and counts it in ``rejected``. Faults and expired
links are ``ApiError`` values too, declared in each fake's table.

The dialects, with the public references they follow:

- :data:`OPENAI` ``{"error": {"message", "type", "param", "code"}}``
  (https://developers.openai.com/api/reference/resources/videos;
  ``docs/reference/openai-videos.md`` §0.4, §1.6)
- :data:`QINIU` ``{"error": {"message", "type", "code"}}`` (``docs/reference/openai-videos.md`` §2.3)
- :data:`NEWAPI_RELAY` ``{"code", "message", "data": null}``, :data:`NEWAPI_MIDDLEWARE`
  ``{"error": {"message", "type": "new_api_error", "code"}}`` and :data:`NEWAPI_PROXY`
  ``{"error": {"message", "type"}}`` (https://github.com/QuantumNous/new-api;
  ``docs/reference/openai-videos.md`` §3.7-3.8)
- :data:`GOOGLE` ``{"error": {"code", "message", "status", "details"?}}``
  (https://ai.google.dev/gemini-api/docs/video; ``docs/reference/veo-grok.md`` §1.6)
- :data:`XAI` ``{"code", "error"}`` (https://docs.x.ai/developers/model-capabilities/video/generation;
  ``docs/reference/veo-grok.md`` §2.3)
- :data:`ARK` ``{"error": {"code", "message", "param", "type"}}`` with ``x-request-id``
  (https://docs.byteplus.com/en/docs/ModelArk/1520757; ``docs/reference/volcengine-kling.md`` §3.3)
- :data:`VOLC_BUSINESS` ``{"code", "data", "message", "request_id", "status", "time_elapsed"}``
  and :data:`VOLC_GATEWAY` ``{"ResponseMetadata": {..., "Error": {"Code", "CodeN", "Message"}}}``
  (https://www.volcengine.com/docs/6444/69728; ``docs/reference/volcengine-kling.md`` §1.6, §2.1)
- :data:`S3_XML` ``<Error><Code/><Message/></Error>`` (signed object-store links) and
  :data:`KODO` ``{"error": "..."}`` (Qiniu Kodo private links past their ``e=`` deadline,
  https://developer.qiniu.com/kodo/1202/download-token)
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
from starlette.responses import JSONResponse, Response


@attrs.define(auto_exc=True, kw_only=True)
class ApiError(Exception):
    """A rejection, in whatever dialect renders it.

    ``code`` is the dialect's error code (a string, or Volcengine's integer business codes; for
    Google it is the canonical ``status`` such as ``INVALID_ARGUMENT``). ``extra`` carries fields
    only one dialect has (Volcengine's ``CodeN``, Google's ``details``). ``dialect`` overrides the
    fake's own; ``headers`` are sent with the answer (``Retry-After`` on faults).
    """

    status: int
    message: str
    code: str | int | None = None
    param: str | None = None
    type: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    dialect: Dialect | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def copy(self) -> ApiError:
        """A fresh instance to raise (a shared constant must not collect tracebacks)."""
        return attrs.evolve(self)

    def evolve(self, **changes: Any) -> ApiError:
        return attrs.evolve(self, **changes)

    def with_headers(self, headers: Mapping[str, str]) -> ApiError:
        return attrs.evolve(self, headers={**self.headers, **headers})

    def render(self, default: Dialect | None = None) -> Response:
        dialect = self.dialect or default
        if dialect is None:
            raise ValueError(f"no dialect renders {self!r}")
        return dialect.render(self)


@attrs.frozen
class Dialect:
    """How one API spells its errors: the body (and any headers) for an :class:`ApiError`."""

    name: str
    body: Callable[[ApiError], Any]
    #: Extra headers the API sends with every error (e.g. Ark's ``x-request-id``).
    headers: Callable[[ApiError], Mapping[str, str]] | None = None
    #: For a non-JSON dialect: ``(error) -> Response``, replacing ``body``.
    response: Callable[[ApiError], Response] | None = None
    #: Called once per answer before ``body`` and ``headers`` (e.g. to draw a request id).
    prepare: Callable[[ApiError], ApiError] | None = None

    def render(self, error: ApiError) -> Response:
        if self.prepare is not None:
            error = self.prepare(error)
        if self.response is not None:
            response = self.response(error)
            response.headers.update(dict(error.headers))
            return response
        headers = dict(self.headers(error)) if self.headers else {}
        headers.update(error.headers)
        return JSONResponse(self.body(error), status_code=error.status, headers=headers)

    def error(self, status: int, message: str, **fields: Any) -> ApiError:
        """An :class:`ApiError` that this dialect renders whatever the fake's own is."""
        return ApiError(status=status, message=message, dialect=self, **fields)


# --- the dialects ------------------------------------------------------------------------------


def _openai(e: ApiError) -> Any:
    return {
        "error": {
            "message": e.message,
            "type": e.type or "invalid_request_error",
            "param": e.param,
            "code": e.code,
        }
    }


OPENAI = Dialect("openai", _openai)

QINIU = Dialect(
    "qiniu",
    lambda e: {
        "error": {
            "message": e.message,
            "type": e.type or "invalid_request_error",
            "code": e.code or "invalid_request",
        }
    },
)

NEWAPI_RELAY = Dialect(
    "newapi-relay", lambda e: {"code": e.code, "message": e.message, "data": None}
)
NEWAPI_MIDDLEWARE = Dialect(
    "newapi-middleware",
    lambda e: {
        "error": {
            "message": f"{e.message} (request id: {secrets.token_hex(10)})",
            "type": "new_api_error",
            "code": e.code or "",
        }
    },
)
NEWAPI_PROXY = Dialect("newapi-proxy", lambda e: {"error": {"message": e.message, "type": e.type}})


def _google(e: ApiError) -> Any:
    err: dict[str, Any] = {"code": e.status, "message": e.message, "status": e.code}
    if e.extra.get("details"):
        err["details"] = [dict(d) for d in e.extra["details"]]
    return {"error": err}


GOOGLE = Dialect("google", _google)

XAI = Dialect("xai", lambda e: {"code": e.code, "error": e.message})

#: Ark's ``error.type`` per HTTP status.
ARK_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServiceError",
}


def ark_request_id() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    return stamp + "".join(random.choice("0123456789abcdef") for _ in range(20))


def _ark(e: ApiError) -> Any:
    # The message ends with the request id, as the service's do.
    return {
        "error": {
            "code": e.code,
            "message": f"{e.message} Request id: {e.extra['request_id']}",
            "param": e.param,
            "type": e.type or ARK_TYPES.get(e.status, "BadRequest"),
        }
    }


ARK = Dialect(
    "ark",
    _ark,
    headers=lambda e: {"x-request-id": e.extra["request_id"]},
    prepare=lambda e: attrs.evolve(e, extra={**e.extra, "request_id": ark_request_id()}),
)


def volc_request_id() -> str:
    """``20240720103939AF0029465CF6A74E51EC``: a timestamp then 18 upper-case hex digits."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    return stamp + "".join(random.choice("0123456789ABCDEF") for _ in range(18))


def volc_envelope(*, code: int, message: str, data: Any) -> dict[str, Any]:
    """``{code, data, message, request_id, status, time_elapsed}`` (``status`` mirrors code)."""
    return {
        "code": code,
        "data": data,
        "message": message,
        "request_id": volc_request_id(),
        "status": code,
        "time_elapsed": "12.500000ms",
    }


VOLC_BUSINESS = Dialect(
    "volc-business",
    lambda e: volc_envelope(code=int(e.code or 0), message=e.message, data=None),
)


def _volc_gateway(e: ApiError) -> Any:
    err: dict[str, Any] = {"CodeN": e.extra.get("code_n"), "Code": e.code, "Message": e.message}
    if e.extra.get("hint"):
        # The emulator's own addition (clients ignore unknown keys): which check failed.
        err["EmulatorHint"] = e.extra["hint"]
    return {
        "ResponseMetadata": {
            "RequestId": volc_request_id(),
            "Action": e.extra.get("action", ""),
            "Version": e.extra.get("version", ""),
            "Service": e.extra.get("service", "cv"),
            "Region": e.extra.get("region", "cn-north-1"),
            "Error": err,
        }
    }


VOLC_GATEWAY = Dialect("volc-gateway", _volc_gateway)


def _xml(e: ApiError) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{e.code}</Code><Message>{e.message}</Message></Error>"
    )
    return Response(body, status_code=e.status, media_type="application/xml")


S3_XML = Dialect("s3-xml", lambda e: None, response=_xml)
KODO = Dialect("kodo", lambda e: {"error": e.message})

#: What an expired signed link answers unless a fake says otherwise.
LINK_EXPIRED = S3_XML.error(403, "Request has expired", code="AccessDenied")
LINK_INVALID = S3_XML.error(403, "The request signature is invalid", code="SignatureDoesNotMatch")
NO_SUCH_KEY = S3_XML.error(404, "The specified key does not exist.", code="NoSuchKey")
