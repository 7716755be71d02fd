"""Verify the JWT a CDS client sends with every call (CDS Hooks 2.0, "Trusting CDS Clients").

The client signs a JWT with its private key and sends it as `Authorization:
Bearer <JWT>`. owm accepts it only when all of these hold; anything else is 401:

- the header names a `kid` and an asymmetric algorithm owm accepts: RS384 and
  ES384 (the ones the specification recommends), RS256 and ES256; never `none`
  nor an HMAC algorithm (the specification forbids both);
- the issuer (`iss`) is one of the EHRs configured in `OWM_CDS_CLIENTS`;
- the key comes from that issuer's configured JWK Set (inline or `jwks_url`), or
  from the token's `jku` header, and then only when the `jku` host is allowed for
  that issuer (an https URL; plain http only for a loopback host) - a token whose
  `jku` is not allowed is refused even when a configured key would verify it;
- the key's type and curve fit the algorithm, and the signature verifies;
- `exp`, `iat`, `aud` and `jti` are present; `exp` is in the future (and not more
  than the configured maximum lifetime ahead), `iat` not in the future (both with a
  small leeway); `aud` is the URL of the endpoint called;
- the `jti` was not seen before from this issuer. Seen ids are remembered until
  their token expires (`owm.cds.replay`): in the database when the service has
  one, so every server process and machine shares the memory; otherwise per process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from jwt.exceptions import PyJWTError
from starlette.concurrency import run_in_threadpool

from owm.cds.config import CdsConfig, ClientConfig, is_loopback
from owm.cds.http import http_client
from owm.cds.replay import MemoryReplays, ReplayStore
from owm.clinical.document import DocumentError, read_document

__all__ = ["ALGORITHMS", "UNVERIFIED", "CdsClient", "ClientAuthError", "JwtVerifier"]

ALGORITHMS: Mapping[str, tuple[str, str | None]] = {
    "RS384": ("RSA", None),
    "ES384": ("EC", "P-384"),
    "RS256": ("RSA", None),
    "ES256": ("EC", "P-256"),
}
"""Accepted `alg` values with the key type (and curve) each needs."""

JWKS_CACHE_SECONDS = 300.0
JWKS_REFRESH_MIN_SECONDS = 10.0
"""An unknown `kid` makes owm fetch a JWK Set URL again, at most this often."""
JWKS_CACHE_URLS = 100
"""JWK Set URLs remembered at once (the cache starts afresh beyond that)."""


class ClientAuthError(Exception):
    """The request is not from a trusted CDS client; the message says why (HTTP 401)."""


@dataclass(frozen=True, slots=True)
class CdsClient:
    """The verified caller."""

    iss: str
    sub: str | None = None
    tenant: str | None = None
    jti: str | None = None
    verified: bool = True


UNVERIFIED = CdsClient(iss="unverified", verified=False)


def _jku_allowed(client: ClientConfig, jku: str) -> bool:
    parts = urlsplit(jku)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
        return False
    netloc = f"{host}:{parts.port}" if parts.port else host
    return host in client.jku_hosts or netloc in client.jku_hosts


class JwtVerifier:
    """Checks CDS client JWTs against the configured issuers (see the module docstring)."""

    def __init__(self, config: CdsConfig, replays: ReplayStore | None = None) -> None:
        self.config = config
        self.replays: ReplayStore = replays if replays is not None else MemoryReplays()
        self._jwks: dict[str, tuple[float, Mapping[str, Any]]] = {}

    async def _fetch_jwks(self, url: str) -> Mapping[str, Any]:
        try:
            async with http_client(self.config.jwks_timeout) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise ClientAuthError(
                f"the JWK Set at {url} could not be fetched ({error!r})"
            ) from None
        if response.status_code != 200:
            raise ClientAuthError(f"the JWK Set at {url} answered {response.status_code}")
        try:
            document = read_document(response.content, name=f"the JWK Set at {url}")
        except DocumentError as error:
            raise ClientAuthError(str(error)) from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ClientAuthError(f"the JWK Set at {url} has no 'keys' list")
        self._jwks[url] = (time.monotonic(), document)
        return document

    async def _keys_from(self, url: str, kid: str) -> Sequence[Mapping[str, Any]]:
        """The keys with `kid` in the JWK Set at `url` (cached; refetched for an unknown kid)."""

        def matching(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
            return [k for k in document["keys"] if isinstance(k, dict) and k.get("kid") == kid]

        cached = self._jwks.get(url)
        if cached is not None:
            age = time.monotonic() - cached[0]
            keys = matching(cached[1])
            if keys and age < JWKS_CACHE_SECONDS:
                return keys
            if not keys and age < JWKS_REFRESH_MIN_SECONDS:
                return []
        if len(self._jwks) >= JWKS_CACHE_URLS:
            self._jwks.clear()
        return matching(await self._fetch_jwks(url))

    async def _candidate_keys(
        self, client: ClientConfig, kid: str, jku: str | None
    ) -> Sequence[Mapping[str, Any]]:
        if jku is not None:
            if not _jku_allowed(client, jku):
                raise ClientAuthError(f"jku {jku!r} is not allowed for issuer {client.iss!r}")
            return await self._keys_from(jku, kid)
        keys: list[Mapping[str, Any]] = []
        if client.jwks is not None:
            keys += [k for k in client.jwks["keys"] if isinstance(k, dict) and k.get("kid") == kid]
        if not keys and client.jwks_url is not None:
            keys += await self._keys_from(client.jwks_url, kid)
        return keys

    async def verify(self, authorization: str | None, audience: Sequence[str]) -> CdsClient:
        """The verified client of an `Authorization` header, or ClientAuthError saying why."""
        if self.config.allow_unsigned:
            return UNVERIFIED
        if not authorization:
            raise ClientAuthError("no Authorization header; a signed JWT is required")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ClientAuthError("the Authorization header is not 'Bearer <JWT>'")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except PyJWTError as error:
            raise ClientAuthError(f"not a JWT ({error})") from None
        alg = str(header.get("alg"))
        if alg not in ALGORITHMS:
            raise ClientAuthError(f"alg {alg!r} is not allowed; allowed: {', '.join(ALGORITHMS)}")
        if header.get("typ") not in (None, "JWT", "jwt"):
            raise ClientAuthError(f"typ {header.get('typ')!r} is not allowed; allowed: JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ClientAuthError("the JWT header has no kid")
        claimed = claims.get("iss")
        client = self.config.clients.get(claimed) if isinstance(claimed, str) else None
        if client is None:
            raise ClientAuthError(f"issuer {claimed!r} is not a trusted CDS client")
        iss = client.iss
        jku = header.get("jku")
        if jku is not None and not isinstance(jku, str):
            raise ClientAuthError("jku is not a URL")
        candidates = await self._candidate_keys(client, kid, jku)
        if not candidates:
            raise ClientAuthError(f"no key with kid {kid!r} for issuer {iss!r}")
        payload = self._decode(token, alg, candidates, audience, iss)
        jti = payload["jti"]
        if not isinstance(jti, str) or not jti:
            raise ClientAuthError("jti must be a non-empty string")
        now = time.time()
        if float(payload["exp"]) > now + self.config.jwt_max_lifetime_seconds:
            raise ClientAuthError(
                f"exp is more than {self.config.jwt_max_lifetime_seconds} s in the future"
            )
        expires = float(payload["exp"])
        if self.replays.blocking:
            fresh = await run_in_threadpool(self.replays.first_use, iss, jti, expires, now)
        else:
            fresh = self.replays.first_use(iss, jti, expires, now)
        if not fresh:
            raise ClientAuthError(f"jti {jti!r} was already used (replay)")
        sub = payload.get("sub")
        tenant = payload.get("tenant")
        return CdsClient(
            iss=iss,
            sub=sub if isinstance(sub, str) else None,
            tenant=tenant if isinstance(tenant, str) else None,
            jti=jti,
        )

    def _decode(
        self,
        token: str,
        alg: str,
        candidates: Sequence[Mapping[str, Any]],
        audience: Sequence[str],
        iss: str,
    ) -> dict[str, Any]:
        kty, crv = ALGORITHMS[alg]
        problem = "no key fits"
        for jwk in candidates:
            if jwk.get("kty") != kty or (crv is not None and jwk.get("crv") != crv):
                problem = f"key {jwk.get('kid')!r} ({jwk.get('kty')} {jwk.get('crv')}) cannot verify {alg}"
                continue
            if jwk.get("alg") not in (None, alg):
                problem = f"key {jwk.get('kid')!r} is for {jwk.get('alg')}, the token uses {alg}"
                continue
            try:
                key = _public_key(json.dumps(jwk, sort_keys=True), alg)
                payload: dict[str, Any] = jwt.decode(
                    token,
                    key=key,
                    algorithms=[alg],
                    audience=list(audience),
                    issuer=iss,
                    leeway=self.config.jwt_leeway_seconds,
                    options={"require": ["exp", "iat", "aud", "iss", "jti"]},
                )
            except jwt.InvalidSignatureError:
                problem = "the signature does not verify"
                continue
            except PyJWTError as error:
                raise ClientAuthError(_describe(error, audience)) from None
            return payload
        raise ClientAuthError(problem)


@lru_cache(maxsize=256)
def _public_key(jwk: str, alg: str) -> Any:
    """The key object of a JWK (JSON text), made once: loading a key costs more than using it."""
    return jwt.PyJWK(json.loads(jwk), algorithm=alg).key


def _describe(error: PyJWTError, audience: Sequence[str]) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the JWT has expired (exp)"
    if isinstance(error, jwt.InvalidAudienceError):
        return f"aud is not this endpoint; allowed: {' or '.join(audience)}"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "the JWT is issued in the future (iat)"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"the JWT has no {error.claim} claim"
    return f"the JWT is not valid ({error})"
