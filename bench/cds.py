"""CDS Hooks service speed over real HTTP: requests per second and latency, beside a bare endpoint.

    .venv/bin/python bench/cds.py [ROUNDS]

owm's CDS Hooks router and a bare FastAPI endpoint (POST, returns `{"cards": []}`)
run in one app under uvicorn on 127.0.0.1, in this process; an httpx client with
keep-alive sends one request at a time. Measured, each with a fresh signed JWT
(RS384, made before the clock starts; owm verifies it and records its jti):

- rec11: the CDC rec. 11 conformance request `request-benzo-trigger-with-opioid`
  (order-select, everything prefetched, one warning card);
- clonazepam: a clonazepam order-select for the base vignette exported to FHIR
  and prefetched (owm reads the Bundle and evaluates: one card). The same chart
  on every call, as an EHR sends it on order-select and again on order-sign:
  each resource is validated once (owm remembers valid resources by digest);
- clonazepam, chart not seen before: the same with that memory emptied before
  every request (every resource validated with fhir.resources' models again);
- clonazepam, owm database: the router with a SQLite database (a temporary
  file, one ward): each token's jti is stored in the database and the patient is
  looked up by MRN, as `owm serve` runs it.

Target: p99 <= 20 ms for a prefetched request (the CDS Hooks specification asks
for well under 500 ms). Figures are printed, never asserted; the ratio to the
bare endpoint measured in the same run is what compares between machines.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from owm.cds import CdsConfig, ClientConfig, cds_router
from owm.fhir import importer
from owm.terminology import TERMINOLOGY

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REC11 = DATA / "conformance" / "opioid-cds-rec11" / "request-benzo-trigger-with-opioid.json"
VIGNETTE = DATA / "vignettes" / "01-base-give.json"
ISSUER = "https://ehr.bench.example"
TARGET_P99_MS = 20.0


class Server:
    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _clonazepam_request() -> tuple[dict[str, Any], Any]:
    from datetime import datetime

    from owm.clinical import default_protocol, parse_state
    from owm.fhir import export_state

    document = json.loads(VIGNETTE.read_text(encoding="utf-8"))
    bundle = export_state(
        parse_state(document["state"], default_protocol()), terminology=TERMINOLOGY
    )
    patient = next(
        e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    at = datetime.fromisoformat(document["state"]["at"].replace("Z", "+00:00"))
    order = {
        "resourceType": "MedicationRequest",
        "id": "czp-bench",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "197527",
                    "display": "clonazepam 0.5 MG Oral Tablet",
                }
            ]
        },
        "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 0.5, "unit": "mg"}}]}],
    }
    body = {
        "hook": "order-select",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/bench",
            "patientId": patient,
            "selections": ["MedicationRequest/czp-bench"],
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": order}],
            },
        },
        "prefetch": {"everything": bundle},
    }
    return body, at


def _database_app(folder: Path, config: CdsConfig, at: Any) -> tuple[Any, FastAPI]:
    """The CDS router on a migrated SQLite database with one ward (jti and MRN in the database)."""
    from owm.service.actor import Actor
    from owm.service.wards import create_ward
    from owm.store.engine import make_engine
    from owm.store.migrate import migrate
    from owm.store.uow import UnitOfWork, session_factory

    url = f"sqlite:///{folder / 'owm.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    create_ward(
        UnitOfWork(sessions),
        Actor.system("bench"),
        name="Ward 7",
        timezone="Europe/London",
        protocol_id="clonazepam-adjunct",
    )
    app = FastAPI()
    app.include_router(cds_router(config, clock=lambda: at, uow=lambda: UnitOfWork(sessions)))
    return engine, app


def _measure(send: Callable[[int], httpx.Response], rounds: int) -> tuple[list[float], float]:
    for i in range(min(200, rounds // 5)):  # warm up
        send(i)
    samples = []
    started = time.perf_counter()
    for i in range(rounds):
        t0 = time.perf_counter_ns()
        response = send(i)
        samples.append((time.perf_counter_ns() - t0) / 1e6)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")
    return samples, rounds / (time.perf_counter() - started)


def main(rounds: int = 2000) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "bench", "alg": "RS384"})
    clonazepam_body, at = _clonazepam_request()
    # The conformance request names this FHIR server (its prefetch is complete).
    servers = frozenset({"http://localhost:8080/fhir"})
    config = CdsConfig(
        clients={ISSUER: ClientConfig(iss=ISSUER, jwks={"keys": [public]}, fhir_servers=servers)}
    )
    app = FastAPI()
    app.include_router(cds_router(config, clock=lambda: at))
    folder = tempfile.TemporaryDirectory()
    engine, db_app = _database_app(Path(folder.name), config, at)

    @app.post("/bare")
    async def bare(_body: dict[str, Any]) -> dict[str, Any]:
        return {"cards": []}

    rec11_body = json.loads(REC11.read_text(encoding="utf-8"))
    with (
        Server(app) as base,
        Server(db_app) as db_base,
        httpx.Client(base_url=base, timeout=30) as client,
        httpx.Client(base_url=db_base, timeout=30) as db_client,
    ):
        total = rounds + min(200, rounds // 5)

        def tokens(path: str, server: str = base) -> list[str]:
            aud = f"{server}{path}"
            now = int(time.time())
            return [
                jwt.encode(
                    {
                        "iss": ISSUER,
                        "aud": aud,
                        "iat": now,
                        "exp": now + 600,
                        "jti": str(uuid.uuid4()),
                    },
                    key,
                    algorithm="RS384",
                    headers={"kid": "bench"},
                )
                for _ in range(total)
            ]

        results: dict[str, tuple[list[float], float]] = {}
        bare_samples = _measure(lambda _i: client.post("/bare", json=rec11_body), rounds)
        results["bare FastAPI endpoint (baseline)"] = bare_samples
        select = "/cds-services/owm-order-select"
        for name, body, http, cold in (
            ("rec11 prefetched (order-select, 1 card)", rec11_body, client, False),
            ("clonazepam prefetched (evaluate, 1 card)", clonazepam_body, client, False),
            ("clonazepam prefetched, chart not seen before", clonazepam_body, client, True),
            ("clonazepam prefetched, owm database (SQLite)", clonazepam_body, db_client, False),
        ):
            signed = iter(tokens(select, str(http.base_url).rstrip("/")))

            def send(
                _: int,
                body: dict[str, Any] = body,
                http: httpx.Client = http,
                signed: Any = signed,
                cold: bool = cold,
            ) -> httpx.Response:
                if cold:
                    importer._VALID = importer._ValidCache(importer.VALID_CACHE_SIZE)
                headers = {"Authorization": f"Bearer {next(signed)}"}
                return http.post(select, json=body, headers=headers)

            results[name] = _measure(send, rounds)
    engine.dispose()
    folder.cleanup()

    baseline_p50 = statistics.median(bare_samples[0])
    baseline_rate = bare_samples[1]
    print(f"CDS Hooks over HTTP on 127.0.0.1, {rounds} sequential requests each (keep-alive)")
    print(
        f"  {'':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'p50 / bare':>10} {'req/s / bare':>12}"
    )
    for name, (samples, rate) in results.items():
        p50 = statistics.median(samples)
        p99 = _percentile(samples, 0.99)
        print(
            f"  {name:<44} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}  "
            f"{p50 / baseline_p50:>10.1f} {rate / baseline_rate:>12.2f}"
        )
    for name, (samples, _) in results.items():
        if "prefetched" in name:
            p99 = _percentile(samples, 0.99)
            verdict = "meets" if p99 <= TARGET_P99_MS else "misses"
            print(f"  {name}: p99 {p99:.2f} ms {verdict} the target p99 <= {TARGET_P99_MS:g} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
