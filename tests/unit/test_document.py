"""The guarded document reader every entrance shares (clinical spec section 8, bad input)."""

from __future__ import annotations

import re

import pytest

from owm.clinical.document import MAX_BYTES, DocumentError, read_document


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \n", "is empty", id="blank"),
        pytest.param(b'{"a": 1, "a": 2}', "a: the key 'a' is given twice", id="duplicate key"),
        pytest.param(
            b'{"patient": {"age_years": 70, "age_years": 34}}',
            "patient.age_years: the key 'age_years' is given twice",
            id="duplicate nested key",
        ),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested deeper than 64", id="100000 deep"),
        pytest.param(b"[" * 65 + b"]" * 65, "nested deeper than 64", id="65 deep"),
        pytest.param(b"9" * 5000, "an integer of 5000 digits", id="5000-digit integer"),
        pytest.param(b"1234567890123456", "an integer of 16 digits", id="16-digit integer"),
        pytest.param(b'{"x": 1e999}', "too large", id="1e999"),
        pytest.param(b'{"x": NaN}', "NaN is not a JSON number", id="NaN"),
        pytest.param(b'{"x": -Infinity}', "-Infinity is not a JSON number", id="-Infinity"),
        pytest.param(b"\xff\xfe{}", "not UTF-8", id="not UTF-8"),
        pytest.param(b'{"x": "\\ud800"}', "x: a lone surrogate", id="lone surrogate"),
        pytest.param(b'{"x": "a\\u0000b"}', "x: a NUL character", id="NUL"),
        pytest.param(b'{"x": 1', "is not valid JSON", id="truncated"),
        pytest.param(b" " * (MAX_BYTES + 1), "larger than 5 MB", id="over 5 MB"),
    ],
)
def test_bad_documents_are_refused_with_where_and_what(data: bytes, says: str) -> None:
    with pytest.raises(DocumentError) as raised:
        read_document(data, name="STATE.json")
    assert says in str(raised.value)
    assert str(raised.value).startswith("STATE.json")


@pytest.mark.parametrize(
    ("data", "value"),
    [
        pytest.param(b"[" * 64 + b"]" * 64, None, id="64 deep"),
        pytest.param(b"123456789012345", 123456789012345, id="15-digit integer"),
        pytest.param(b'\xef\xbb\xbf{"a": "\xc3\xa9"}', {"a": "é"}, id="byte-order mark"),
        pytest.param(
            b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}, id="plain"
        ),
    ],
)
def test_good_documents_are_read(data: bytes, value: object) -> None:
    document = read_document(data)
    if value is not None:
        assert document == value


def test_text_input_is_read_like_bytes() -> None:
    assert read_document('{"a": 1}') == {"a": 1}
    with pytest.raises(DocumentError, match="given twice"):
        read_document('{"a": 1, "a": 1}')


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param('{"x": 1234567890123456.5}', "16 digits before the decimal point", id="float"),
        pytest.param('{"a\\u0000b": 1}', "a key: a NUL character", id="NUL in a key"),
        pytest.param('"\\u0000"', "(document): a NUL character", id="NUL at the top"),
        pytest.param(" " * (MAX_BYTES + 1), "larger than 5 MB", id="text over 5 MB"),
    ],
)
def test_more_bad_documents(data: str, says: str) -> None:
    with pytest.raises(DocumentError, match=re.escape(says)):
        read_document(data)
