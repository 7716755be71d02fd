"""Outgoing HTTP for the CDS Hooks service: the EHR's FHIR server and JWK Set URLs.

Why a factory: an `httpx.AsyncClient` belongs to one event loop, so each request
opens its own; building the TLS context is the slow part of that, so it is made
once per process and shared. Redirects are not followed: a bearer token for the
EHR's FHIR server must not travel to another address.
"""

from __future__ import annotations

import ssl
from functools import cache

import certifi
import httpx

__all__ = ["http_client"]


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def http_client(timeout: float) -> httpx.AsyncClient:
    """A client with a total `timeout` (seconds) for connect, read, write and pool each."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        verify=_tls(),
        follow_redirects=False,
        trust_env=False,
    )
