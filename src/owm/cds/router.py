"""The CDS Hooks 2.0 endpoints: discovery, the three owm services, and feedback.

    GET  /cds-services                      discovery (services and prefetch templates)
    POST /cds-services/{id}                 a hook call -> {"cards": [...]}
    POST /cds-services/{id}/feedback        accepted / overridden cards -> audit trail

Every call carries the client's signed JWT (`auth`), checked before anything
else: 401 when it does not verify. A call that names a `fhirServer` not allowed
for its issuer (`config`) answers 400 and owm contacts nothing. A call whose data
cannot be had answers 412 (`prefetch`); bad input answers 422 naming the field.
The router mounts at the application root (the paths are fixed by the
specification).

With a database (`uow`), seen JWT ids are kept there (one memory for every
server process), and cards link to owm's own patient with the EHR patient's MRN;
the ward's time zone falls back to that patient's ward, or the only ward
(`ward`).
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from owm.cds.auth import CdsClient, ClientAuthError, JwtVerifier
from owm.cds.cards import CardContext, clonazepam_card, concurrency_card
from owm.cds.clonazepam import Evaluation, evaluate_fhir
from owm.cds.config import CdsConfig, cds_config_from_env, fhir_server_url, is_loopback
from owm.cds.feedback import FeedbackRecord, FeedbackRecorder, IssuedCard, IssuedCards
from owm.cds.medicines import read_medicines
from owm.cds.prefetch import TEMPLATES, DataUnavailable, Found, collect
from owm.cds.replay import DatabaseReplays
from owm.cds.schemas import (
    Card,
    CardsResponse,
    DiscoveryResponse,
    FeedbackRequest,
    HookRequest,
    ServiceDescription,
)
from owm.cds.ward import OwmPatient, WardDirectory
from owm.clinical import Protocol, default_protocol
from owm.fhir.identity import medical_record_number
from owm.http.runtime import UowFactory

__all__ = ["SERVICES", "Service", "cds_router"]

logger = logging.getLogger("owm.cds")

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hook: str
    title: str
    description: str


SERVICES: dict[str, Service] = {
    s.id: s
    for s in (
        Service(
            "owm-order-select",
            "order-select",
            "owm: clonazepam and opioid with benzodiazepine (order select)",
            "When a clonazepam order is selected: owm's recommendation (action, dose, reasons) "
            "from the clonazepam-adjunct protocol. When a benzodiazepine is ordered while an "
            "opioid is current, or an opioid while a benzodiazepine is: a warning as the 2022 "
            "CDC opioid guideline's recommendation 11.",
        ),
        Service(
            "owm-order-sign",
            "order-sign",
            "owm: clonazepam and opioid with benzodiazepine (order sign)",
            "Before orders are signed: the same checks as owm-order-select, on every draft order.",
        ),
        Service(
            "owm-patient-view",
            "patient-view",
            "owm: clonazepam and opioid with benzodiazepine (patient view)",
            "When a chart is opened: a warning when an opioid and a benzodiazepine are both "
            "active, and owm's recommendation when clonazepam is.",
        ),
    )
}

_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _system_clock() -> datetime:
    return datetime.now(UTC)


def _bare(reference: str | None, kind: str) -> str | None:
    return reference.removeprefix(f"{kind}/") if reference else None


def _server_allowed(config: CdsConfig, client: CdsClient, server: str) -> tuple[bool, str]:
    """Whether `client`'s calls may name the FHIR server `server`, and what is allowed."""
    url = fhir_server_url(server)
    if client.verified:
        entry = config.clients.get(client.iss)
        allowed = sorted(entry.fhir_servers) if entry is not None else []
        text = ", ".join(allowed) or f"none (configure fhir_servers for {client.iss})"
        return url is not None and url in allowed, text
    host = urlsplit(url).hostname if url is not None else None
    loopback = host is not None and is_loopback(host)
    allowed = sorted(config.unsigned_fhir_servers)
    text = "loopback servers" + (f", {', '.join(allowed)}" if allowed else "")
    return url is not None and (loopback or url in allowed), text


def _mrn(found: list[Found], patient_id: str) -> str | None:
    for item in found:
        resource = item.resource
        if resource.get("resourceType") == "Patient" and resource.get("id") == patient_id:
            return medical_record_number(resource)
    return None


def _warn_about(config: CdsConfig) -> None:
    """Say at start-up when hook calls are trusted blindly, or refused for want of clients."""
    if config.allow_unsigned:
        logger.warning(
            "CDS Hooks JWT verification is OFF (OWM_CDS_ALLOW_UNSIGNED=1): any caller is "
            "trusted. For local testing only; never run a ward like this."
        )
    elif not config.clients:
        logger.warning(
            "CDS Hooks: no trusted clients configured (OWM_CDS_CLIENTS): every hook call is 401 (discovery stays open)"
        )


def _discovery() -> Response:
    document = DiscoveryResponse(
        services=[
            ServiceDescription(
                hook=s.hook,
                title=s.title,
                description=s.description,
                id=s.id,
                prefetch=dict(TEMPLATES),
            )
            for s in SERVICES.values()
        ]
    )
    return Response(document.model_dump_json(exclude_none=True), media_type="application/json")


def _check_fhir_server(config: CdsConfig, client: CdsClient, service: Service, server: str) -> None:
    """Refuse (400) a call naming a FHIR server its client may not send owm to."""
    ok, allowed = _server_allowed(config, client, server)
    if not ok:
        who = f"issuer {client.iss!r}" if client.verified else "unsigned calls"
        logger.info("CDS Hooks %s: fhirServer %s refused (400)", service.id, server)
        raise HTTPException(
            400, f"fhirServer: {server!r} is not allowed for {who}; allowed: {allowed}"
        )


def _feedback_records(
    service_id: str,
    body: FeedbackRequest,
    client: CdsClient,
    address: str | None,
    received: datetime,
    issued: IssuedCards,
) -> list[FeedbackRecord]:
    """One record per feedback item, with who sent it and what owm knows of the card."""
    records = []
    for item in body.feedback:
        reason = item.overrideReason
        records.append(
            FeedbackRecord(
                service_id=service_id,
                card=item.card,
                outcome=item.outcome,
                outcome_at=item.outcomeTimestamp,
                received_at=received,
                client=client,
                client_address=address,
                accepted_suggestions=tuple(s.id for s in item.acceptedSuggestions or ()),
                override_reason=(
                    reason.reason.model_dump(exclude_none=True)
                    if reason is not None and reason.reason is not None
                    else None
                ),
                user_comment=reason.userComment if reason else None,
                issued=issued.get(item.card),
            )
        )
    return records


@dataclass(slots=True)
class _Hooks:
    """What the routes of one CDS Hooks router share: settings, the JWT verifier, owm's
    wards and patients (when there is a database) and the cards handed out."""

    config: CdsConfig
    protocol: Protocol
    clock: Clock
    verifier: JwtVerifier
    directory: WardDirectory | None
    issued: IssuedCards

    def base_url(self, request: Request) -> str:
        return self.config.base_url or str(request.base_url).rstrip("/")

    async def verify(self, request: Request, audience: list[str]) -> CdsClient:
        try:
            return await self.verifier.verify(request.headers.get("authorization"), audience)
        except ClientAuthError as error:
            logger.info("CDS Hooks call refused (401): %s", error)
            raise HTTPException(
                status_code=401,
                detail=f"CDS client not trusted: {error}",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None

    def client_dependency(self, suffix: str) -> Callable[..., Awaitable[CdsClient]]:
        """A dependency that verifies the caller for the service in the path (+ `suffix`)."""

        async def dependency(request: Request) -> CdsClient:
            base = f"{self.base_url(request)}/cds-services"
            service_id = request.path_params.get("service_id")
            if service_id is None:
                return await self.verify(request, [base])
            service = f"{base}/{service_id}"
            audience = [service + suffix, service] if suffix else [service]
            client = await self.verify(request, audience)
            if service_id not in SERVICES:
                raise HTTPException(
                    404,
                    f"no CDS service {service_id!r}; allowed: {', '.join(SERVICES)}",
                )
            return client

        return dependency

    async def discovery_client(self, request: Request) -> CdsClient | None:
        """Discovery is open (it lists services, no patient data); a token sent is still checked."""
        if request.headers.get("authorization") is None:
            return None
        return await self.verify(request, [f"{self.base_url(request)}/cds-services"])

    async def lookup(self, mrn: str | None) -> tuple[OwmPatient | None, str | None]:
        """owm's patient with this MRN and the ward time zone to use (settings first)."""
        match: OwmPatient | None = None
        zone = self.config.ward_timezone
        if self.directory is not None:
            match, ward_zone = await run_in_threadpool(self.directory.lookup, mrn)
            zone = zone or ward_zone
        return match, zone

    async def decide(
        self, service: Service, body: HookRequest, found: list[Found], base: str
    ) -> list[Card]:
        """The cards for one hook call, most urgent first."""
        patient_id = body.context.patientId
        mrn = _mrn(found, patient_id)
        match, zone = await self.lookup(mrn)
        medicines = read_medicines(
            found,
            body.context.draftOrders,
            body.context.selections,
            hook=body.hook,
            patient_id=patient_id,
        )
        ctx = CardContext(
            service_id=service.id,
            patient_id=patient_id,
            base_url=base,
            owm_patient_id=match.id if match is not None else None,
            mrn=mrn,
        )
        cards: list[Card] = []
        covered: frozenset[str] = frozenset()
        pool = medicines.current if body.hook == "patient-view" else medicines.triggers
        clonazepam = [m for m in pool if m.is_clonazepam]
        if clonazepam:
            # Reading a Bundle and deciding is CPU work: keep it off the event loop.
            evaluation: Evaluation = await run_in_threadpool(
                evaluate_fhir,
                found,
                patient_id=patient_id,
                encounter_id=_bare(body.context.encounterId, "Encounter"),
                at=self.clock(),
                protocol=self.protocol,
                timezone=zone,
            )
            cards.append(clonazepam_card(ctx, evaluation, clonazepam))
            r = evaluation.recommendation
            if r is not None and r.finding("opioid-benzodiazepine") is not None:
                covered = frozenset(m.key for m in clonazepam)
        concurrency = concurrency_card(ctx, medicines, hook=body.hook, covered=covered)
        if concurrency is not None:
            cards.append(concurrency)
        return sorted(cards, key=lambda c: _ORDER[c.indicator])

    def remember(self, service: Service, body: HookRequest, cards: list[Card]) -> None:
        """Keep the cards handed out, so that feedback on one can name its patient."""
        for card in cards:
            if card.uuid is not None and card.source.topic is not None:
                self.issued.remember(
                    card.uuid,
                    IssuedCard(
                        service_id=service.id,
                        patient_id=body.context.patientId,
                        finding=card.source.topic.code,
                        summary=card.summary,
                        hook_instance=body.hookInstance,
                    ),
                )


def cds_router(
    config: CdsConfig | None = None,
    *,
    record_feedback: FeedbackRecorder | None = None,
    clock: Clock = _system_clock,
    protocol: Protocol | None = None,
    uow: UowFactory | None = None,
) -> APIRouter:
    """The CDS Hooks router. `record_feedback` stores feedback (503 without one);
    `uow` (owm's database, through the services) shares the replay memory across processes and lets
    cards link to owm's patient and use the ward's time zone."""
    config = config if config is not None else cds_config_from_env()
    _warn_about(config)
    hooks = _Hooks(
        config=config,
        protocol=protocol if protocol is not None else default_protocol(),
        clock=clock,
        verifier=JwtVerifier(config, replays=DatabaseReplays(uow) if uow is not None else None),
        directory=WardDirectory(uow) if uow is not None else None,
        issued=IssuedCards(),
    )
    router = APIRouter(tags=["cds-hooks"])
    ServiceClient = Annotated[CdsClient, Depends(hooks.client_dependency(""))]
    FeedbackClient = Annotated[CdsClient, Depends(hooks.client_dependency("/feedback"))]

    @router.get("/cds-services", response_model=DiscoveryResponse, response_model_exclude_none=True)
    async def discovery(
        _client: Annotated[CdsClient | None, Depends(hooks.discovery_client)],
    ) -> Response:
        """The CDS services owm offers, with their prefetch templates.

        Open to any caller, so an EHR can be registered by reading it; every hook call
        needs a verified JWT. A token sent with discovery is verified all the same.
        """
        return _discovery()

    @router.post(
        "/cds-services/{service_id}",
        response_model=CardsResponse,
        response_model_exclude_none=True,
        responses={
            401: {"description": "the CDS client's JWT does not verify"},
            412: {"description": "the FHIR data needed cannot be had"},
        },
    )
    async def call_service(
        service_id: str, body: HookRequest, request: Request, client: ServiceClient
    ) -> Response:
        """A hook call: cards for the patient in context."""
        service = SERVICES[service_id]
        if body.hook != service.hook:
            raise HTTPException(
                422, f"hook: {body.hook!r} is not allowed for {service.id}; allowed: {service.hook}"
            )
        if body.fhirServer is not None:
            _check_fhir_server(config, client, service, body.fhirServer)
        try:
            found, _fetched = await collect(
                body, timeout=config.fhir_timeout, max_pages=config.max_fhir_pages
            )
        except DataUnavailable as error:
            logger.info("CDS Hooks %s: 412 (%s)", service.id, error)
            raise HTTPException(412, f"FHIR data unavailable: {error}") from None
        cards = await hooks.decide(service, body, found, hooks.base_url(request))
        hooks.remember(service, body, cards)
        answer = CardsResponse(cards=cards)
        return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")

    @router.post("/cds-services/{service_id}/feedback")
    async def feedback(
        service_id: str, body: FeedbackRequest, request: Request, client: FeedbackClient
    ) -> dict[str, Any]:
        """Record what the clinician did with owm's cards (audit trail)."""
        if record_feedback is None:
            raise HTTPException(503, "feedback cannot be recorded: no audit trail is configured")
        address = request.client.host if request.client else None
        records = _feedback_records(service_id, body, client, address, clock(), hooks.issued)
        await run_in_threadpool(record_feedback, records)
        return {"recorded": len(records)}

    return router
