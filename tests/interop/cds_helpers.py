"""Real HTTP for the CDS Hooks tests: servers on localhost, an EHR stand-in, signed JWTs.

- `LiveServer` runs an ASGI app under uvicorn in a thread on 127.0.0.1 (a free port).
- `EhrStandIn` is the EHR side: a small FHIR server (reads and patient searches
  over the resources it is given, with paging), its JWK Set at `/jwks.json`, and
  switches that make it refuse the token (401) or answer too slowly.
- `Signer` holds an EHR's key pair (RSA or EC, generated in the test) and signs
  CDS Hooks JWTs as the specification describes them.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from owm.cds import CdsConfig, cds_router
from owm.cds.feedback import FeedbackRecorder
from support.data import CONFORMANCE, VIGNETTES

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
SERVICE_FOR_HOOK = {
    "order-select": "owm-order-select",
    "order-sign": "owm-order-sign",
    "patient-view": "owm-patient-view",
}


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class EhrStandIn:
    """An EHR's FHIR server and JWK Set endpoint (state changed by the tests)."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = "ehr-access-token"
    refuse: bool = False
    """Answer 401 to every FHIR request."""
    delay: float = 0.0
    """Seconds to wait before answering a FHIR request."""
    page_size: int = 50
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    jwks_requests: int = 0
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    """(path with query, Authorization header) of each FHIR request."""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/jwks.json")
        async def jwks() -> dict[str, Any]:
            self.jwks_requests += 1
            return self.jwks

        @app.get("/fhir/{kind}/{ident}")
        async def read(kind: str, ident: str, request: Request) -> JSONResponse:
            refused = await self._gate(request)
            if refused is not None:
                return refused
            for resource in self.resources:
                if resource.get("resourceType") == kind and resource.get("id") == ident:
                    return JSONResponse(resource, media_type="application/fhir+json")
            return JSONResponse(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "not-found"}],
                },
                status_code=404,
            )

        @app.get("/fhir/{kind}")
        async def search(kind: str, request: Request) -> JSONResponse:
            refused = await self._gate(request)
            if refused is not None:
                return refused
            patient = request.query_params.get("patient")
            status = request.query_params.get("status")
            hits = [
                r
                for r in self.resources
                if r.get("resourceType") == kind
                and _about(r, patient)
                and (status is None or r.get("status") == status)
            ]
            offset = int(request.query_params.get("_offset", "0"))
            page = hits[offset : offset + self.page_size]
            bundle: dict[str, Any] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(hits),
                "entry": [
                    {
                        "fullUrl": f"{request.base_url}fhir/{r['resourceType']}/{r['id']}",
                        "resource": r,
                    }
                    for r in page
                ],
            }
            if offset + self.page_size < len(hits):
                query = dict(request.query_params)
                query["_offset"] = str(offset + self.page_size)
                url = str(request.url.replace_query_params(**query))
                bundle["link"] = [{"relation": "next", "url": url}]
            return JSONResponse(bundle, media_type="application/fhir+json")

        return app

    async def _gate(self, request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization")
        self.requests.append(
            (request.url.path + ("?" + request.url.query if request.url.query else ""), header)
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse or (self.token is not None and header != f"Bearer {self.token}"):
            return JSONResponse(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "login"}],
                },
                status_code=401,
            )
        return None


def _about(resource: Mapping[str, Any], patient: str | None) -> bool:
    if patient is None:
        return True
    for name in ("subject", "patient"):
        reference = resource.get(name)
        if isinstance(reference, dict) and str(reference.get("reference", "")).endswith(patient):
            return True
    return False


class Signer:
    """An EHR's signing key (generated here) and the JWTs it sends."""

    def __init__(self, alg: str = "RS384", kid: str | None = None) -> None:
        self.alg = alg
        self.kid = kid or f"key-{uuid.uuid4().hex[:8]}"
        if alg.startswith("RS"):
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.public_jwk = json.loads(
                jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key())
            )
        else:
            curve = ec.SECP384R1() if alg == "ES384" else ec.SECP256R1()
            self.private = ec.generate_private_key(curve)
            self.public_jwk = json.loads(
                jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key())
            )
        self.public_jwk.update({"kid": self.kid, "use": "sig", "alg": alg})

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def token(
        self,
        *,
        iss: str,
        aud: str | list[str],
        expires_in: float = 300,
        issued_ago: float = 0,
        jti: str | None = None,
        jku: str | None = None,
        alg: str | None = None,
        kid: str | None = None,
        omit: tuple[str, ...] = (),
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": iss,
            "sub": "ehr-client",
            "aud": aud,
            "exp": int(now + expires_in),
            "iat": int(now - issued_ago),
            "jti": jti or str(uuid.uuid4()),
            "tenant": "ward-7",
        }
        for name in omit:
            claims.pop(name, None)
        headers: dict[str, Any] = {"kid": kid or self.kid, "typ": "JWT"}
        if jku is not None:
            headers["jku"] = jku
        return jwt.encode(claims, self.private, algorithm=alg or self.alg, headers=headers)


@contextmanager
def owm_cds(
    config: CdsConfig,
    *,
    record_feedback: FeedbackRecorder | None = None,
    clock: Any = None,
) -> Iterator[LiveServer]:
    """owm's CDS Hooks router alone in a FastAPI app, served on localhost."""
    app = FastAPI()
    kwargs: dict[str, Any] = {"record_feedback": record_feedback}
    if clock is not None:
        kwargs["clock"] = clock
    app.include_router(cds_router(config, **kwargs))
    with LiveServer(app) as server:
        yield server


def conformance_pairs() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, request, expected response) for every request file; fails when the folder is missing."""
    if not CONFORMANCE.is_dir():
        raise AssertionError(f"the conformance folder {CONFORMANCE} is missing")
    pairs = []
    for request_path in sorted(CONFORMANCE.glob("request-*.json")):
        name = request_path.name.removeprefix("request-")
        response_path = CONFORMANCE / f"response-{name}"
        if not response_path.is_file():
            raise AssertionError(f"{request_path.name} has no response file {response_path.name}")
        pairs.append(
            (
                name.removesuffix(".json"),
                json.loads(request_path.read_text(encoding="utf-8")),
                json.loads(response_path.read_text(encoding="utf-8")),
            )
        )
    if not pairs:
        raise AssertionError(f"no request-*.json files in {CONFORMANCE}")
    return pairs


def medication_request(
    ident: str,
    patient: str,
    *,
    rxnorm: str | None,
    display: str,
    status: str = "active",
    dose: tuple[float, str] | None = None,
) -> dict[str, Any]:
    """A MedicationRequest as an EHR sends it (dose as (value, UCUM code), or none)."""
    coding: dict[str, Any] = {"system": RXNORM, "display": display}
    if rxnorm is not None:
        coding["code"] = rxnorm
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": ident,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "medicationCodeableConcept": {"coding": [coding], "text": display},
    }
    if dose is not None:
        resource["dosageInstruction"] = [
            {
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose[0],
                            "unit": dose[1],
                            "system": UCUM,
                            "code": dose[1],
                        }
                    }
                ]
            }
        ]
    return resource


def hook_request(
    hook: str,
    patient: str,
    *,
    drafts: list[dict[str, Any]] | None = None,
    prefetch: dict[str, Any] | None = None,
    fhir_server: str | None = None,
    token: str | None = None,
    selections: list[str] | None = None,
) -> dict[str, Any]:
    """A CDS Hooks request body."""
    context: dict[str, Any] = {"userId": "Practitioner/p1", "patientId": patient}
    if drafts is not None:
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
    if token is not None:
        body["fhirAuthorization"] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "owm",
        }
    return body


ISSUER = "https://ehr.example.org"


class Caller:
    """A CDS client: signs each call for the owm server at `base` and posts it."""

    def __init__(
        self, base: str, signer: Signer, iss: str = ISSUER, *, aud_base: str | None = None
    ) -> None:
        import httpx

        self.base = base
        self.aud_base = aud_base or base
        """The URL owm knows itself by (OWM_BASE_URL), which the token's aud names."""
        self.signer = signer
        self.iss = iss
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def auth(self, path: str, **token: Any) -> dict[str, str]:
        aud = token.pop("aud", f"{self.aud_base}{path}")
        return {"Authorization": f"Bearer {self.signer.token(iss=self.iss, aud=aud, **token)}"}

    def discovery(self, **token: Any) -> Any:
        return self.http.get(
            f"{self.base}/cds-services", headers=self.auth("/cds-services", **token)
        )

    def call(self, service: str, body: dict[str, Any], **token: Any) -> Any:
        path = f"/cds-services/{service}"
        return self.http.post(f"{self.base}{path}", json=body, headers=self.auth(path, **token))

    def cards(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.call(SERVICE_FOR_HOOK[body["hook"]], body)
        assert response.status_code == 200, response.text
        cards: list[dict[str, Any]] = response.json()["cards"]
        return cards

    def feedback(self, service: str, body: dict[str, Any], **token: Any) -> Any:
        path = f"/cds-services/{service}/feedback"
        return self.http.post(f"{self.base}{path}", json=body, headers=self.auth(path, **token))


CONFORMANCE_FHIR = "http://localhost:8080/fhir"
"""The fhirServer every conformance request names (its prefetch is complete)."""


def trusting(signer: Signer, fhir_servers: tuple[str, ...] = (), **config: Any) -> CdsConfig:
    """A configuration that trusts ISSUER with `signer`'s key (inline JWK Set), whose calls
    may name the conformance requests' FHIR server and `fhir_servers`."""
    from owm.cds import ClientConfig
    from owm.cds.config import fhir_server_url

    servers = frozenset(
        url for url in map(fhir_server_url, (CONFORMANCE_FHIR, *fhir_servers)) if url is not None
    )
    client = ClientConfig(iss=ISSUER, jwks=signer.jwks, fhir_servers=servers)
    return CdsConfig(clients={ISSUER: client}, **config)


@dataclass(frozen=True)
class FhirPatient:
    """A vignette's state exported to FHIR: the resources an EHR would hold."""

    name: str
    patient_id: str
    at: Any
    resources: list[dict[str, Any]]
    full_urls: dict[str, str]
    expect: dict[str, Any]

    def clock(self) -> Any:
        return lambda: self.at

    def prefetch(self) -> dict[str, Any]:
        """The resources as owm's prefetch keys would carry them."""
        from owm.cds.prefetch import TEMPLATES

        by_key = {
            "Patient": "patient",
            "Encounter": "encounters",
            "MedicationRequest": "medicationRequests",
            "MedicationStatement": "medicationStatements",
            "MedicationAdministration": "administrations",
            "Observation": "observations",
            "Condition": "conditions",
            "AllergyIntolerance": "allergies",
            "DetectedIssue": "detectedIssues",
        }
        prefetch: dict[str, Any] = dict.fromkeys(TEMPLATES)
        for resource in self.resources:
            key = by_key.get(resource["resourceType"])
            if key == "patient":
                prefetch[key] = resource
            elif key is not None:
                bundle = prefetch[key] or {
                    "resourceType": "Bundle",
                    "type": "searchset",
                    "entry": [],
                }
                bundle["entry"].append(
                    {"fullUrl": self.full_urls[resource["id"]], "resource": resource}
                )
                prefetch[key] = bundle
        return prefetch


def vignette_patient(name: str) -> FhirPatient:
    """Vignette `name` (file stem) exported with owm's FHIR export."""
    from datetime import datetime

    from owm.clinical import default_protocol, parse_state
    from owm.fhir import export_state
    from owm.terminology import TERMINOLOGY

    document = json.loads((VIGNETTES / f"{name}.json").read_text(encoding="utf-8"))
    state = parse_state(document["state"], default_protocol())
    bundle = export_state(state, terminology=TERMINOLOGY)
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    return FhirPatient(
        name=name,
        patient_id=patient,
        at=datetime.fromisoformat(document["state"]["at"].replace("Z", "+00:00")),
        resources=resources,
        full_urls={e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]},
        expect=document["expect"],
    )


def clonazepam_order(
    ident: str, patient: str, dose: tuple[float, str] | None = (0.5, "mg")
) -> dict[str, Any]:
    """A draft clonazepam 0.5 mg tablet order (dose in mg, in tablets, or none)."""
    return medication_request(
        ident,
        patient,
        rxnorm="197527",
        display="clonazepam 0.5 MG Oral Tablet",
        status="draft",
        dose=dose,
    )
