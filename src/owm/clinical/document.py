"""Reading a JSON document safely: the one reader behind every entrance.

Why one reader: `owm evaluate`, the REST API, the FHIR reader and the CDS Hooks
service all take JSON from outside. A parser that keeps the last of two equal
keys decides on a value nobody can see; a number of 5,000 digits, brackets nested
100,000 deep or a 1 GB body crash or stall a reader that trusts its input. Every
entrance reads documents here, with the same limits and the same messages
(clinical spec section 8, "Bad input, in every reader"):

- at most `MAX_BYTES` (5 MB) of UTF-8 text (a leading byte-order mark is ignored);
- nested at most `MAX_DEPTH` (64) levels;
- integers (and the whole part of other numbers) of at most `MAX_INTEGER_DIGITS`
  (15) digits; no NaN or Infinity, no number too large for a float;
- each key at most once in an object;
- no NUL character and no lone UTF-16 surrogate in any text (a database cannot
  store them faithfully, and no clinical text needs them).

A document that breaks a limit raises `DocumentError`, whose message names the
place in the document (as `patient.age_years` or `assessments[1].items`), what
was found and what is allowed. These are limits of the exchange format, not
clinical numbers: they hold before any protocol is known.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INTEGER_DIGITS",
    "DocumentError",
    "path_text",
    "read_document",
    "text_problem",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_INTEGER_DIGITS = 15


class DocumentError(ValueError):
    """A document that cannot be read; the message says where, what and what is allowed."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


class _Refused(Exception):
    """Raised inside the parser's hooks; turned into a DocumentError with a place."""


class _Object(dict[str, Any]):
    """A decoded object that remembers the keys it was given more than once."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.duplicates: tuple[str, ...] = ()
        if len(self) != len(pairs):
            seen: set[str] = set()
            twice: list[str] = []
            for key, _ in pairs:
                if key in seen and key not in twice:
                    twice.append(key)
                seen.add(key)
            self.duplicates = tuple(twice)


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise _Refused(
            f"an integer of {digits} digits ({text[:20]}...) is not allowed; "
            f"allowed: at most {MAX_INTEGER_DIGITS} digits"
        )
    return int(text)


def _float(text: str) -> float:
    whole = text.lstrip("-").split(".")[0].split("e")[0].split("E")[0]
    if len(whole) > MAX_INTEGER_DIGITS:
        raise _Refused(
            f"a number with {len(whole)} digits before the decimal point ({text[:20]}...) is "
            f"not allowed; allowed: at most {MAX_INTEGER_DIGITS}"
        )
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise _Refused(f"the number {shown} is too large; allowed: a finite number")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number; allowed: a finite number written in digits")


def path_text(path: tuple[str | int, ...]) -> str:
    """A place in a document as `patient.conditions[2]` ("(document)" for the whole)."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts) or "(document)"


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored or shown faithfully (NUL, lone surrogate), or None."""
    if "\x00" in text:
        return "a NUL character (\\u0000) is not allowed in text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate (\\ud800-\\udfff) is not allowed in text; allowed: Unicode text"
    return None


def _check(document: Any, name: str) -> None:
    """Depth, duplicate keys and text, walked once without recursion."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH:  # a container at this path is one level deeper
            where = path_text(path[:3]) + "..."
            raise DocumentError(
                f"{name} is nested deeper than {MAX_DEPTH} levels (at {where}); "
                f"allowed: at most {MAX_DEPTH}"
            )
        if isinstance(node, dict):
            duplicates = getattr(node, "duplicates", ())
            if duplicates:
                key = duplicates[0]
                raise DocumentError(
                    f"{name}: {path_text((*path, key))}: the key {key!r} is given twice in one "
                    "object; allowed: each key once (which one would count cannot be known)"
                )
            for key, value in node.items():
                problem = text_problem(key)
                if problem is not None:
                    raise DocumentError(f"{name}: {path_text(path)}: a key: {problem}")
                if isinstance(value, dict | list):
                    stack.append((value, (*path, key)))
                elif isinstance(value, str):
                    _check_text(value, (*path, key), name)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, dict | list):
                    stack.append((value, (*path, index)))
                elif isinstance(value, str):
                    _check_text(value, (*path, index), name)
        elif isinstance(node, str):
            _check_text(node, path, name)


def _check_text(value: str, path: tuple[str | int, ...], name: str) -> None:
    problem = text_problem(value) if ("\x00" in value or not value.isascii()) else None
    if problem is not None:
        raise DocumentError(f"{name}: {path_text(path)}: {problem}")


def _decoded(data: bytes | str, name: str) -> str:
    if isinstance(data, str):
        if len(data) > MAX_BYTES and len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise DocumentError(_too_large(name), too_large=True)
        text = data
    else:
        if len(data) > MAX_BYTES:
            raise DocumentError(_too_large(name), too_large=True)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DocumentError(
                f"{name} is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                f"{error.start}); allowed: a JSON document in UTF-8"
            ) from None
    return text.removeprefix("\ufeff")


def _too_large(name: str) -> str:
    return (
        f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; allowed: at most {MAX_BYTES} bytes"
    )


def read_document(data: bytes | str, *, name: str = "the document") -> Any:
    """The JSON value in `data`, or DocumentError naming what is wrong and where.

    `name` says which document it is in messages ("STATE.json", "the request body").
    """
    text = _decoded(data, name)
    if not text.strip():
        raise DocumentError(f"{name} is empty; allowed: a JSON document")
    try:
        document = json.loads(
            text,
            object_pairs_hook=_Object,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
        )
    except _Refused as error:
        raise DocumentError(f"{name}: {error}") from None
    except RecursionError:
        raise DocumentError(
            f"{name} is nested deeper than {MAX_DEPTH} levels; allowed: at most {MAX_DEPTH}"
        ) from None
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"{name} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}; "
            "allowed: a valid JSON document"
        ) from None
    _check(document, name)
    return document
