"""What the CDS Hooks service reads from the environment: trusted EHRs, its own URL, limits.

Why a per-issuer allow-list: CDS Hooks 2.0 ("Trusting CDS Clients") has every
EHR sign a JWT for every call; owm accepts a token only from an issuer it was
told to trust, verified with that issuer's keys (an inline JWK Set, a JWK Set
URL, or the token's `jku` header when its host is allowed for that issuer).

Environment variables:
    OWM_CDS_CLIENTS         the trusted EHRs: JSON or YAML text, or the path of a
                            .json/.yaml file, shaped as
                            {"clients": {"<iss>": {"jwks_url": "...", "jwks": {...},
                                                   "jku_hosts": ["ehr.example.org"]}}}
                            (each issuer needs jwks_url, jwks or jku_hosts)
    OWM_CDS_ALLOW_UNSIGNED  1: no JWT verification (local testing only; warned at start)
    OWM_BASE_URL            owm's public URL (scheme://host[:port][/path]): the JWT
                            `aud` is <base>/cds-services/<id>, and cards link to
                            <base>/patients/<id>; default: the URL the request came to
    OWM_CDS_FHIR_TIMEOUT    seconds allowed for the EHR's FHIR server; default 5
    OWM_CDS_WARD_TIMEZONE   the ward's IANA time zone for owm's recommendation when
                            the EHR's Encounter does not carry one; default: none
                            (owm then says it cannot evaluate)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

__all__ = ["CdsConfig", "ClientConfig", "ConfigError", "cds_config_from_env", "parse_clients"]


class ConfigError(ValueError):
    """A CDS setting with a value that is not allowed (names it, the value and what is allowed)."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """One trusted EHR (JWT issuer) and where its signing keys may come from."""

    iss: str
    jwks_url: str | None = None
    jwks: Mapping[str, Any] | None = None
    jku_hosts: frozenset[str] = frozenset()
    """Hosts (`host` or `host:port`) a token's `jku` header may point at."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CdsConfig:
    """Everything the CDS Hooks router needs to know."""

    clients: Mapping[str, ClientConfig] = field(default_factory=dict)
    allow_unsigned: bool = False
    base_url: str | None = None
    fhir_timeout: float = 5.0
    jwks_timeout: float = 5.0
    ward_timezone: str | None = None
    jwt_leeway_seconds: int = 30
    """Clock difference tolerated on `exp` and `iat`."""
    jwt_max_lifetime_seconds: int = 3600
    """A token may not expire later than this after now (bounds the replay memory)."""
    max_fhir_pages: int = 20
    """Pages of a FHIR search followed (`next` links) before owm gives up with 412."""


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{name}: {value!r} is not allowed; allowed: 1 or 0")


def _url(value: Any, name: str) -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ConfigError(f"{name}: {value!r} is not allowed; allowed: an http(s) URL")
    if not urlsplit(value).netloc:
        raise ConfigError(f"{name}: {value!r} has no host; allowed: an http(s) URL")
    return value


def _jwks(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("keys"), list):
        raise ConfigError(f"{name}: not a JWK Set; allowed: an object with a 'keys' list")
    return value


def parse_clients(document: Any) -> dict[str, ClientConfig]:
    """The trusted issuers from the `OWM_CDS_CLIENTS` document (already parsed JSON/YAML)."""
    if not isinstance(document, Mapping) or not isinstance(document.get("clients"), Mapping):
        raise ConfigError(
            "OWM_CDS_CLIENTS: not allowed; allowed: an object with a 'clients' object "
            "mapping each issuer (iss) to its jwks_url, jwks and/or jku_hosts"
        )
    clients: dict[str, ClientConfig] = {}
    for iss, entry in document["clients"].items():
        where = f"OWM_CDS_CLIENTS clients[{iss!r}]"
        if not isinstance(iss, str) or not iss:
            raise ConfigError(f"{where}: the issuer must be a non-empty string")
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: {entry!r} is not allowed; allowed: an object")
        unknown = set(entry) - {"jwks_url", "jwks", "jku_hosts"}
        if unknown:
            raise ConfigError(
                f"{where}: unknown field(s) {sorted(unknown)}; allowed: jwks_url, jwks, jku_hosts"
            )
        hosts = entry.get("jku_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise ConfigError(f"{where}.jku_hosts: {hosts!r} is not allowed; allowed: host names")
        client = ClientConfig(
            iss=iss,
            jwks_url=_url(entry["jwks_url"], f"{where}.jwks_url") if "jwks_url" in entry else None,
            jwks=_jwks(entry["jwks"], f"{where}.jwks") if "jwks" in entry else None,
            jku_hosts=frozenset(h.lower() for h in hosts),
        )
        if client.jwks_url is None and client.jwks is None and not client.jku_hosts:
            raise ConfigError(f"{where}: no keys; allowed: jwks_url, jwks or jku_hosts")
        clients[iss] = client
    return clients


def _load_clients(value: str) -> dict[str, ClientConfig]:
    text = value.strip()
    if not text:
        return {}
    if not text.startswith(("{", "clients")):
        path = Path(text)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"OWM_CDS_CLIENTS: cannot read {str(path)!r} ({error.strerror}); "
                "allowed: JSON or YAML text, or the path of a .json/.yaml file"
            ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"OWM_CDS_CLIENTS: neither JSON nor YAML ({error})") from None
    return parse_clients(document)


def cds_config_from_env(environ: Mapping[str, str] | None = None) -> CdsConfig:
    """The CDS settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    base = env.get("OWM_BASE_URL", "").strip() or None
    if base is not None:
        base = _url(base, "OWM_BASE_URL").rstrip("/")
    timeout_text = env.get("OWM_CDS_FHIR_TIMEOUT", "").strip()
    timeout = 5.0
    if timeout_text:
        try:
            timeout = float(timeout_text)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 60:
            raise ConfigError(
                f"OWM_CDS_FHIR_TIMEOUT: {timeout_text!r} is not allowed; "
                "allowed: seconds, more than 0 and at most 60"
            )
    zone = env.get("OWM_CDS_WARD_TIMEZONE", "").strip() or None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"OWM_CDS_WARD_TIMEZONE: {zone!r} is not allowed; allowed: an IANA time zone"
            ) from None
    return CdsConfig(
        clients=_load_clients(env.get("OWM_CDS_CLIENTS", "")),
        allow_unsigned=_flag(env.get("OWM_CDS_ALLOW_UNSIGNED", ""), "OWM_CDS_ALLOW_UNSIGNED"),
        base_url=base,
        fhir_timeout=timeout,
        ward_timezone=zone,
    )
