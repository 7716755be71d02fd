"""What the CDS Hooks service reads from the environment: trusted EHRs, its own URL, limits.

Why a per-issuer allow-list: CDS Hooks 2.0 ("Trusting CDS Clients") has every
EHR sign a JWT for every call; owm accepts a token only from an issuer it was
told to trust, verified with that issuer's keys (an inline JWK Set, a JWK Set
URL, or the token's `jku` header when its host is allowed for that issuer).
The same holds for the FHIR servers a call may name (`fhirServer`): owm sends
the call's bearer token there and reads the patient's record from there, so an
issuer may name only the servers configured for it (https; plain http only on
the loopback interface).

Environment variables:
    OWM_CDS_CLIENTS         the trusted EHRs: JSON or YAML text, or the path of a
                            .json/.yaml file, shaped as
                            {"clients": {"<iss>": {"jwks_url": "...", "jwks": {...},
                                                   "jku_hosts": ["ehr.example.org"],
                                                   "fhir_servers": ["https://ehr.example.org/fhir"]}}}
                            (each issuer needs jwks_url, jwks or jku_hosts; a call that
                            names a fhirServer not in its fhir_servers is refused)
    OWM_CDS_ALLOW_UNSIGNED  1: no JWT verification (local testing only; warned at start)
    OWM_CDS_UNSIGNED_FHIR_SERVERS  with OWM_CDS_ALLOW_UNSIGNED: the FHIR servers calls may
                            name besides loopback ones (comma-separated base URLs);
                            default: loopback servers only
    OWM_BASE_URL            owm's public URL (scheme://host[:port][/path]): the JWT
                            `aud` is <base>/cds-services/<id>, and cards link to
                            <base>/patients/<id>; default: the URL the request came to
    OWM_CDS_FHIR_TIMEOUT    seconds allowed for the EHR's FHIR server; default 5
    OWM_CDS_WARD_TIMEZONE   the ward's IANA time zone for owm's recommendation when
                            the EHR's Encounter does not carry one; default: the zone of
                            the ward of owm's patient with the EHR patient's MRN, else of
                            the only ward in owm's database (owm says it cannot evaluate
                            when none of these gives one)
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

__all__ = [
    "CdsConfig",
    "ClientConfig",
    "ConfigError",
    "cds_config_from_env",
    "fhir_server_url",
    "is_loopback",
    "parse_clients",
]


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
    fhir_servers: frozenset[str] = frozenset()
    """FHIR server base URLs (normalised, see `fhir_server_url`) this issuer's calls may name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CdsConfig:
    """Everything the CDS Hooks router needs to know."""

    clients: Mapping[str, ClientConfig] = field(default_factory=dict)
    allow_unsigned: bool = False
    unsigned_fhir_servers: frozenset[str] = frozenset()
    """In unsigned mode, FHIR servers calls may name besides loopback ones."""
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


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def fhir_server_url(value: Any) -> str | None:
    """A FHIR server base URL in one spelling (lower-case scheme and host, no trailing
    slash, no query), or None when it is not one owm may use: https, or http on a
    loopback host only."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.query or parts.fragment or parts.username or parts.password:
        return None
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _fhir_servers(value: Any, name: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{name}: {value!r} is not allowed; allowed: a list of base URLs")
    found = set()
    for item in value:
        url = fhir_server_url(item)
        if url is None:
            raise ConfigError(
                f"{name}: {item!r} is not allowed; allowed: an https base URL (http only "
                "for localhost or a loopback address), without query"
            )
        found.add(url)
    return frozenset(found)


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
        unknown = set(entry) - {"jwks_url", "jwks", "jku_hosts", "fhir_servers"}
        if unknown:
            raise ConfigError(
                f"{where}: unknown field(s) {sorted(unknown)}; "
                "allowed: jwks_url, jwks, jku_hosts, fhir_servers"
            )
        hosts = entry.get("jku_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise ConfigError(f"{where}.jku_hosts: {hosts!r} is not allowed; allowed: host names")
        client = ClientConfig(
            iss=iss,
            jwks_url=_url(entry["jwks_url"], f"{where}.jwks_url") if "jwks_url" in entry else None,
            jwks=_jwks(entry["jwks"], f"{where}.jwks") if "jwks" in entry else None,
            jku_hosts=frozenset(h.lower() for h in hosts),
            fhir_servers=_fhir_servers(entry.get("fhir_servers", []), f"{where}.fhir_servers"),
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
    unsigned_servers = [
        u for u in env.get("OWM_CDS_UNSIGNED_FHIR_SERVERS", "").split(",") if u.strip()
    ]
    return CdsConfig(
        clients=_load_clients(env.get("OWM_CDS_CLIENTS", "")),
        allow_unsigned=_flag(env.get("OWM_CDS_ALLOW_UNSIGNED", ""), "OWM_CDS_ALLOW_UNSIGNED"),
        unsigned_fhir_servers=_fhir_servers(unsigned_servers, "OWM_CDS_UNSIGNED_FHIR_SERVERS"),
        base_url=base,
        fhir_timeout=timeout,
        ward_timezone=zone,
    )
