"""Planning, with no network: check the arguments, build the request, choose the provider and
model, clamp, translate and preview the exact HTTP request (secrets masked)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from reelkit import budget, pricing, redact, validation, wire
from reelkit.arguments import ASK_FIELDS, Ask
from reelkit.capabilities import Mode, ModelInfo
from reelkit.clamping import clamp
from reelkit.errors import BudgetExceeded, InvalidRequest, MissingBaseURL, PluginError
from reelkit.media import to_media
from reelkit.models import Adjustment, Credentials, Plan, ProviderConfig, SourceJob, VideoRequest
from reelkit.plugins import NO_PROVIDER, RegisteredProvider

from .base import EngineBase

log = logging.getLogger("reelkit")
#: Sources that do not exist yet, for planning a batch: a shot that continues another is planned
#: against a stand-in of the other's result ("shot:<id>" -> SourceJob), and never sent.
PLANNED_SOURCES: contextvars.ContextVar[Mapping[str, SourceJob] | None] = contextvars.ContextVar(
    "reelkit_planned_sources", default=None
)
PLACEHOLDER = "reelkit-placeholder-credential"


@attrs.frozen(kw_only=True)
class Prepared:
    """A plan plus what submitting it needs (the unsigned request, never shown unredacted)."""

    plan: Plan
    provider: RegisteredProvider
    model: ModelInfo
    config: ProviderConfig
    request: httpx.Request
    # Why a budget forbids sending it (raised before any claim or submit), or None.
    refusal: BudgetExceeded | None = None


class Selection(EngineBase):
    @staticmethod
    def prepare_blocks(ask: Ask) -> bool:
        """Whether ``prepare`` reads a file or the journal for ``ask``: an image or video to
        read and identify, or an earlier job to look up. Otherwise it only computes."""
        return bool(
            ask.first_frame is not None
            or ask.last_frame is not None
            or ask.reference_images
            or ask.video is not None
            or ask.continue_from
            or ask.remix_of
        )

    def prepare(self, ask: Ask) -> Prepared:
        """Everything a submit needs, decided locally; every bad input is an ``InvalidRequest``."""
        validation.check_ask(ask)
        request = self._request(ask)
        source = request.continue_from or request.remix_of
        provider_name = ask.provider or (source.provider if source else None)
        model_name = ask.model
        if model_name is None and source is not None and source.model is not None:
            # A remix or extension stays on its source's model (sora-2-pro stays sora-2-pro).
            if (
                provider_name
                and source.provider
                and self._same_provider(provider_name, source.provider)
            ):
                model_name = source.model
        limit = self.settings.budget(ask.max_cost)
        chosen, model, notice = self._choose(
            request,
            provider_name,
            model_name,
            cheapest=ask.cheapest,
            currency=limit.currency if limit else "USD",
        )
        skipped: list[Adjustment] = []
        if request.params:
            own, skipped = self._own_params(chosen, request.params)
            request = attrs.evolve(request, params=validation.check_params(model, own))
        applied, clamped = clamp(request, model, strict=ask.strict)
        adjustments = [*skipped, *clamped]
        config = self.settings.provider_config(chosen.info)
        name = chosen.info.name
        if not config.base_url:
            # A gateway with no public endpoint (newapi): the same class and exit status as a
            # missing key, naming the variable, before any translation (docs/guide.md, Errors).
            raise MissingBaseURL(name, chosen.info.base_url_envs)
        http = self.host.call(
            name, "reelkit_translate", model=model, request=applied, config=config
        )
        if not isinstance(http, httpx.Request):
            raise PluginError(
                f"{name}: reelkit_translate returned {type(http).__name__}, not an httpx.Request"
            )
        unsent = wire.reported_not_sent(http)
        if ask.strict and unsent:
            first = unsent[0]
            raise InvalidRequest(
                first.field,
                f"{first.requested!r} is not sent by {name}/{model.id} ({first.reason}); "
                "strict mode makes no adjustments",
                allowed=first.allowed,
            )
        adjustments.extend(unsent)
        credentials = self.settings.credentials(chosen.info)
        shown = credentials if credentials else self._placeholder(chosen)
        preview = redact.preview(self._signed_copy(name, http, shown, config), shown.secrets())
        for adjustment in adjustments:
            log.warning(
                "%s: %s -> %s (%s)",
                adjustment.field,
                adjustment.requested,
                adjustment.applied,
                adjustment.reason,
                extra={"reelkit_adjustment": True},
            )
        plan = Plan(
            provider=name,
            model=model.id,
            mode=applied.mode or Mode.T2V,
            request=applied,
            adjustments=tuple(adjustments),
            http=preview,
            warnings=tuple(f"{a.field}: {a.reason}" for a in adjustments),
            notice=notice,
        )
        plan = attrs.evolve(plan, cost=pricing.estimate(model.price, plan))
        refusal = budget.refusal(
            plan.cost,
            limit,
            allow_unpriced=self.settings.allow_unpriced(ask.allow_unpriced),
            rates=self.settings.exchange_rates(),
            what=f"{name}/{model.id}",
        )
        if refusal is not None:
            plan = attrs.evolve(plan, refused=str(refusal))
        return Prepared(
            plan=plan, provider=chosen, model=model, config=config, request=http, refusal=refusal
        )

    def _own_params(
        self, chosen: RegisteredProvider, params: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Adjustment]]:
        """The chosen provider's ``params``: bare keys and keys under its own prefix
        (``veo.person_generation``); a key under another provider's prefix is left out, and
        the plan says so. A request field passed as a param names its own argument."""
        own: dict[str, Any] = {}
        skipped: list[Adjustment] = []
        names = set(chosen.info.names())
        for key, value in validation.check_params_mapping("params", params).items():
            prefix, dot, bare = key.partition(".")
            if dot and prefix in names:
                key = bare
            elif dot:
                other = self._provider_named(prefix)
                if other is None:
                    raise InvalidRequest(
                        f"params.{key}",
                        f"{prefix!r} is not an installed provider's prefix",
                        allowed=sorted(p.info.name for p in self.host.all_providers()),
                    )
                skipped.append(
                    Adjustment(
                        field=f"params.{key}",
                        requested=value,
                        applied=None,
                        reason=f"meant for {other}, not {chosen.info.name}: not sent",
                    )
                )
                continue
            if key in ASK_FIELDS:
                raise InvalidRequest(
                    f"params.{key}",
                    f"{key} is a request field: set it with its own argument ({key}=...), "
                    "which clamping checks against the model",
                )
            own[key] = value
        return own, skipped

    def _provider_named(self, name: str) -> str | None:
        try:
            return self.host.provider(name).info.name
        except InvalidRequest:
            return None

    def _same_provider(self, a: str, b: str) -> bool:
        try:
            return self.host.provider(a).info.name == self.host.provider(b).info.name
        except InvalidRequest:
            return False

    def _request(self, ask: Ask) -> VideoRequest:
        return VideoRequest(
            prompt=ask.prompt,
            duration=None if ask.duration is None else float(ask.duration),
            aspect_ratio=ask.aspect_ratio,
            resolution=ask.resolution,
            size=ask.size,
            fps=ask.fps,
            seed=ask.seed,
            negative_prompt=ask.negative_prompt,
            audio=ask.audio,
            first_frame=None
            if ask.first_frame is None
            else to_media(ask.first_frame, "first_frame"),
            last_frame=None if ask.last_frame is None else to_media(ask.last_frame, "last_frame"),
            reference_images=tuple(to_media(m, "reference_images") for m in ask.reference_images),
            video=None if ask.video is None else to_media(ask.video, "video"),
            continue_from=self._source(ask.continue_from, "continue_from"),
            remix_of=self._source(ask.remix_of, "remix_of"),
            params=dict(ask.params),
        )

    def _source(self, ref: str | None, field: str) -> SourceJob | None:
        """A reelkit job id from the journal, or else the provider's own id as given."""
        if not ref:
            return None
        planned = (PLANNED_SOURCES.get() or {}).get(ref)
        if planned is not None:
            return planned
        record = self.journal.find(ref)
        if record is None:
            return SourceJob(task_id=ref)
        if record.handle is None:
            raise InvalidRequest(field, f"job {record.id} was never accepted by {record.provider}")
        video = record.video
        return SourceJob(
            task_id=record.handle.task_id,
            job_id=record.id,
            provider=record.provider,
            model=record.model,
            video_url=video.url if video else None,
            expires_at=video.expires_at if video else None,
            duration=record.request.duration,
            aspect_ratio=record.request.aspect_ratio,
            resolution=record.request.resolution,
            data=dict(record.handle.data),
        )

    def _choose(
        self,
        request: VideoRequest,
        provider: str | None,
        model: str | None,
        *,
        cheapest: bool = False,
        currency: str = "USD",
    ) -> tuple[RegisteredProvider, ModelInfo, str | None]:
        if provider:
            chosen = self.host.provider(provider)
            return chosen, chosen.model(model or self.settings.default_model(chosen.info)), None
        candidates = self.host.all_providers()
        if not candidates:
            raise InvalidRequest("provider", NO_PROVIDER)
        if model:
            owners = [p for p in candidates if any(model in m.names() for m in p.models)]
            if not owners:
                known = sorted({n for p in candidates for m in p.models for n in m.names()})
                raise InvalidRequest(
                    "model", f"no installed provider offers {model!r}", allowed=known
                )
            keyed = [p for p in owners if self.settings.unusable(p.info) is None]
            chosen = (keyed or owners)[0]
            return chosen, chosen.model(model), None
        skipped: list[str] = []
        keyless: list[RegisteredProvider] = []
        priced: list[tuple[float, int, RegisteredProvider, str]] = []
        for candidate in candidates:
            if not candidate.info.credential_env:
                keyless.append(candidate)
                continue
            unusable = self.settings.unusable(candidate.info)
            if unusable:
                skipped.append(f"{candidate.info.name}: {unusable}")
                continue
            fit = self._fits(candidate, request)
            if fit is not None:
                skipped.append(f"{candidate.info.name}: {fit}")
                continue
            if not cheapest:
                return candidate, candidate.model(self.settings.default_model(candidate.info)), None
            # --cheapest: every qualifying provider is priced, the lowest estimate wins.
            amount, shown = self._price_of(candidate, request, currency)
            if amount is None:
                skipped.append(f"{candidate.info.name}: {shown}")
                continue
            priced.append((amount, len(priced), candidate, shown))
        if priced:
            priced.sort(key=lambda item: (item[0], item[1]))
            _, _, best, shown = priced[0]
            others = [f"{p.info.name}: {text}" for _, _, p, text in priced[1:]] + skipped
            notice = f"cheapest qualifying provider: {best.info.name} at {shown}"
            if others:
                notice += "; not chosen: " + "; ".join(others)
            return best, best.model(self.settings.default_model(best.info)), notice
        for candidate in keyless:
            fit = self._fits(candidate, request)
            if fit is not None:
                skipped.append(f"{candidate.info.name}: {fit}")
                continue
            reason = "; ".join(skipped) if skipped else "no remote provider is installed"
            notice = f"no credentialed provider qualifies ({reason}); using {candidate.info.name}"
            return candidate, candidate.model(self.settings.default_model(candidate.info)), notice
        reason = "; ".join(skipped) if skipped else "no provider plugin is installed"
        raise InvalidRequest("provider", "no installed provider can serve this request: " + reason)

    def _price_of(
        self, candidate: RegisteredProvider, request: VideoRequest, currency: str
    ) -> tuple[float | None, str]:
        """The default model's estimate for ``request`` in ``currency`` (None: unknown), and
        how to show it."""
        model = candidate.model(self.settings.default_model(candidate.info))
        if request.params:
            own, _ = self._own_params(candidate, request.params)
            request = attrs.evolve(request, params=validation.check_params(model, own))
        applied, adjustments = clamp(request, model)
        plan = Plan(
            provider=candidate.info.name,
            model=model.id,
            mode=applied.mode or Mode.T2V,
            request=applied,
            adjustments=tuple(adjustments),
        )
        cost = pricing.estimate(model.price, plan)
        amount = budget.in_currency(cost, currency, self.settings.exchange_rates())
        if amount is None:
            if cost.estimated is None:
                return None, f"price unknown ({cost.basis})"
            return None, f"{cost.describe()}, not comparable in {currency} (no exchange rate)"
        return amount, f"{model.id} {cost.describe()}"

    def _fits(self, candidate: RegisteredProvider, request: VideoRequest) -> str | None:
        model = candidate.model(self.settings.default_model(candidate.info))
        try:
            if request.params:
                own, _ = self._own_params(candidate, request.params)
                request = attrs.evolve(request, params=validation.check_params(model, own))
            clamp(request, model)
        except InvalidRequest as exc:
            return str(exc)
        return None

    def _placeholder(self, provider: RegisteredProvider) -> Credentials:
        names = provider.info.credential_env[0] if provider.info.credential_env else ()
        return Credentials({name: PLACEHOLDER for name in names})

    def _signed_copy(
        self,
        provider: str,
        request: httpx.Request,
        credentials: Credentials,
        config: ProviderConfig,
    ) -> httpx.Request:
        copy = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.content,
            extensions={wire.PREVIEW: True},
        )
        auth = self.host.call(provider, "reelkit_auth", credentials=credentials, config=config)
        if auth is None:
            return copy
        signed: httpx.Request = next(auth.sync_auth_flow(copy))
        return signed
