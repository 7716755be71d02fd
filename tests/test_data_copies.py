"""The test data kept in the repository is the project's shared data, byte for byte.

tests/data/ holds copies of the shared vignettes and conformance cases (see
tests/data/README.md) so that a clone runs every test on its own. Where the shared
folder is beside the repository (`../shared`, as on a developer's machine and in
CI), each copy must be identical to its origin: the same files, the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.data import DATA, SHARED

COPIES = ("vignettes", "conformance")


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path relative to `folder`, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("name", COPIES)
def test_the_copy_in_tests_data_is_not_empty(name: str) -> None:
    assert any(path.endswith(".json") for path in files_under(DATA / name))


@pytest.mark.parametrize("name", COPIES)
def test_the_copy_in_tests_data_is_identical_to_the_shared_folder(name: str) -> None:
    origin = SHARED / name
    if not origin.is_dir():
        pytest.skip(f"{origin} is not beside the repository: nothing to compare with")
    kept, shared = files_under(DATA / name), files_under(origin)
    assert sorted(kept) == sorted(shared), "a file was added or removed on one side only"
    changed = [path for path in shared if kept[path] != shared[path]]
    assert changed == [], f"copy {', '.join(changed)} from {origin} into tests/data/{name}"
