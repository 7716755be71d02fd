"""The FHIR data of a CDS Hooks call: what the client prefetched, and what owm fetches itself.

owm's services ask (discovery, `prefetch`) for the patient, the encounter, the
active medicines, medicine administrations, observations, conditions, allergies
and detected issues. The CDS Hooks 2.0 rules, and owm's reading of them:

- Every resource found anywhere in `prefetch` is read, whatever its key: single
  resources, Bundles (searchset or collection, nested or not) and Bundle
  entries (`{"resource": ...}`). Clients with templates of their own (the CDC
  opioid guideline's reference requests use keys `item1` ... `item9`) are read
  the same way.
- A key of owm's templates with the value null means the client has no data for
  it; a key that is absent means the client did not (or could not) prefetch it.
- owm fetches from `fhirServer` (with `fhirAuthorization` as the bearer token,
  when given) the templates whose keys are absent: all of them when there is no
  prefetch, the absent ones when the client used some of owm's keys. A prefetch
  that uses none of owm's keys is the client's own answer and is read as given.
  A template whose token the context cannot fill is not needed.
- When data must be fetched and cannot be had - no `fhirServer`, the server
  refuses the token (401/403), answers with an error, answers something that is
  not FHIR JSON, pages on for too long, or does not answer in time - owm answers
  412 Precondition Failed, as the specification asks.

Searches follow `next` links only on the same server (the bearer token never
goes elsewhere), up to a configured number of pages.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from owm.cds.http import http_client
from owm.cds.schemas import HookRequest
from owm.clinical.document import DocumentError, read_document

__all__ = [
    "TEMPLATES",
    "DataUnavailable",
    "Found",
    "collect",
    "fill",
    "keys_to_fetch",
    "resources_in",
]

TEMPLATES: Mapping[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "encounters": "Encounter?patient={{context.patientId}}&status=in-progress",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active",
    "administrations": "MedicationAdministration?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
    "detectedIssues": "DetectedIssue?patient={{context.patientId}}",
}
"""owm's prefetch templates (the same for every owm service)."""

_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")
_SAFE_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class DataUnavailable(Exception):
    """The FHIR data owm needs cannot be had (HTTP 412); the message says why."""


@dataclass(frozen=True, slots=True)
class Found:
    """A resource and the `fullUrl` it came with (when it came in a Bundle entry)."""

    resource: dict[str, Any]
    full_url: str | None = None


def resources_in(value: Any, full_url: str | None = None) -> Iterator[Found]:
    """Every FHIR resource in `value`: resources, Bundles (their entries), entries, lists,
    and objects keyed by any name (the prefetch object). Contained resources stay inside
    their resource; OperationOutcomes are not data and are left out."""
    if isinstance(value, list):
        for item in value:
            yield from resources_in(item)
        return
    if not isinstance(value, dict):
        return
    kind = value.get("resourceType")
    if kind == "Bundle":
        for entry in value.get("entry") or []:
            if isinstance(entry, dict):
                url = entry.get("fullUrl")
                yield from resources_in(
                    entry.get("resource"), url if isinstance(url, str) else None
                )
        return
    if isinstance(kind, str):
        if kind != "OperationOutcome":
            yield Found(value, full_url)
        return
    if "resource" in value:
        url = value.get("fullUrl")
        yield from resources_in(value["resource"], url if isinstance(url, str) else full_url)
        return
    for item in value.values():  # the prefetch object itself, keyed by any name
        yield from resources_in(item)


def fill(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with its `{{context.x}}` tokens replaced; None when a token has no value.

    Values must be plain FHIR ids (letters, digits, '-', '.'; "Patient/" style
    prefixes are removed), so nothing from the request can change the query.
    """
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        raw = context.get(match.group(1))
        text = str(raw).rsplit("/", 1)[-1] if isinstance(raw, str) else ""
        if not _SAFE_ID.match(text):
            missing = True
            return ""
        return text

    filled = _TOKEN.sub(value, template)
    return None if missing else filled


def keys_to_fetch(prefetch: Mapping[str, Any] | None, templates: Mapping[str, str]) -> list[str]:
    """The template keys owm must fetch itself (see the module docstring)."""
    if not prefetch:
        return list(templates)
    if not any(key in prefetch for key in templates):
        return []
    return [key for key in templates if key not in prefetch]


async def _fetch_one(
    client: httpx.AsyncClient,
    base: str,
    key: str,
    query: str,
    headers: Mapping[str, str],
    max_pages: int,
) -> list[Found]:
    url: str | None = f"{base}/{query}"
    found: list[Found] = []
    pages = 0
    while url is not None:
        pages += 1
        if pages > max_pages:
            raise DataUnavailable(f"{key}: the search has more than {max_pages} pages")
        try:
            response = await client.get(url, headers=dict(headers))
        except httpx.TimeoutException:
            raise DataUnavailable(f"{key}: the FHIR server did not answer in time") from None
        except httpx.HTTPError as error:
            raise DataUnavailable(f"{key}: the FHIR server cannot be reached ({error!r})") from None
        if response.status_code in (401, 403):
            raise DataUnavailable(
                f"{key}: the FHIR server refused access ({response.status_code}); "
                "fhirAuthorization is missing, expired or not enough"
            )
        if response.status_code != 200:
            raise DataUnavailable(f"{key}: the FHIR server answered {response.status_code}")
        try:
            document = read_document(response.content, name=f"{key}: the FHIR server's answer")
        except DocumentError as error:
            raise DataUnavailable(str(error)) from None
        if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
            raise DataUnavailable(f"{key}: the FHIR server's answer is not a FHIR resource")
        if document["resourceType"] == "OperationOutcome":
            raise DataUnavailable(f"{key}: the FHIR server answered with an OperationOutcome")
        found += resources_in(document)
        url = None
        if document["resourceType"] == "Bundle":
            for link in document.get("link") or []:
                if isinstance(link, dict) and link.get("relation") == "next":
                    target = link.get("url")
                    if not isinstance(target, str) or not target.startswith(base + "/"):
                        raise DataUnavailable(
                            f"{key}: the next page {target!r} is not on the FHIR server {base}"
                        )
                    url = target
    return found


def _first(errors: BaseExceptionGroup[Any]) -> BaseException:
    error = errors.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


async def collect(
    request: HookRequest, *, timeout: float, max_pages: int = 20
) -> tuple[list[Found], list[str]]:
    """All resources of the call (prefetched, then fetched) and the template keys fetched.

    Raises DataUnavailable (HTTP 412) when data must be fetched and cannot be had.
    """
    found = list(resources_in(request.prefetch)) if request.prefetch else []
    context = request.context.model_dump()
    wanted: dict[str, str] = {}
    for key in keys_to_fetch(request.prefetch, TEMPLATES):
        query = fill(TEMPLATES[key], context)
        if query is not None:
            wanted[key] = query
    if not wanted:
        return found, []
    if request.fhirServer is None:
        raise DataUnavailable(
            f"prefetch lacks {', '.join(wanted)} and the request names no fhirServer"
        )
    base = request.fhirServer.rstrip("/")
    headers = {"Accept": "application/fhir+json, application/json"}
    if request.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
    try:
        async with (
            asyncio.timeout(timeout),
            http_client(timeout) as client,
            asyncio.TaskGroup() as group,
        ):
            tasks = [
                group.create_task(_fetch_one(client, base, key, query, headers, max_pages))
                for key, query in wanted.items()
            ]
    except TimeoutError:
        raise DataUnavailable(
            f"the FHIR server {base} did not answer within {timeout:g} s"
        ) from None
    except ExceptionGroup as errors:
        first = _first(errors)
        if isinstance(first, DataUnavailable):
            raise first from None
        raise
    results = [task.result() for task in tasks]
    for items in results:
        found += items
    return found, list(wanted)
