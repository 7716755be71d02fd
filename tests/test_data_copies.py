"""The test data kept in the repository is the project's shared data, byte for byte.

tests/data/ holds copies of the shared vignettes, conformance cases and state
format description (see tests/data/README.md) so that a clone runs every test on
its own. Where the shared folder is beside the repository (`../shared`, as on a
developer's machine and in CI), each copy must be identical to its origin: the
same files, the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.data import DATA, SHARED

COPIES = ("vignettes", "conformance", "state-format.md")


def files_under(place: Path) -> dict[str, bytes]:
    """Every file at `place` (a file, or a folder and its subfolders), by its path
    relative to `place`, with its bytes."""
    if place.is_file():
        return {place.name: place.read_bytes()}
    return {
        path.relative_to(place).as_posix(): path.read_bytes()
        for path in sorted(place.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("name", COPIES)
def test_the_copy_in_tests_data_is_not_empty(name: str) -> None:
    copies = files_under(DATA / name)
    assert copies
    assert all(content.strip() for content in copies.values())


@pytest.mark.parametrize("name", COPIES)
def test_the_copy_in_tests_data_is_identical_to_the_shared_folder(name: str) -> None:
    origin = SHARED / name
    if not origin.exists():
        pytest.skip(f"{origin} is not beside the repository: nothing to compare with")
    kept, shared = files_under(DATA / name), files_under(origin)
    assert sorted(kept) == sorted(shared), "a file was added or removed on one side only"
    changed = [path for path in shared if kept[path] != shared[path]]
    assert changed == [], f"copy {', '.join(changed)} from {origin} into tests/data/{name}"
