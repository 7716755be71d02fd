"""`owm import FOLDER`: load many FHIR R4 Bundles into the ward system, each all or nothing.

Every `*.json` file in the folder (not its subfolders), in name order, is one
Bundle imported in one transaction by `owm.service.fhir_import` as the user named
by `--as` (the importing user is the actor of every record and of the audit
entries). A Bundle that cannot be imported leaves nothing behind and is listed
with its reasons; the others are imported. A progress bar runs on stderr; the
summary goes to stdout. Importing the same files again adds nothing twice.

Exit status: 0 every Bundle imported; 1 some Bundle rejected; 2 bad input (no
such folder, user or ward). The database is OWM_DATABASE_URL (migrated first).
Only typer is imported at the top: `owm evaluate` must start fast.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from owm.clinical.document import MAX_BYTES, DocumentError, read_document

if TYPE_CHECKING:
    from owm.cli.database import Database
    from owm.service.actor import Actor
    from owm.service.errors import ServiceError
    from owm.service.fhir_import import BundleImport
    from owm.service.results import WardView

__all__ = ["import_folder"]


@dataclass(frozen=True, slots=True)
class _Outcome:
    name: str
    imported: BundleImport | None = None
    reasons: tuple[str, ...] = ()


def _bad(message: str) -> typer.Exit:
    sys.stderr.write(message.rstrip() + "\n")
    return typer.Exit(2)


def _reasons(error: ServiceError) -> tuple[str, ...]:
    from owm.service.errors import InputError

    if isinstance(error, InputError):
        return tuple(
            f"{p.field}: {p.allowed}" if p.value is None else str(p) for p in error.problems
        )
    return (str(error),)


def _read(path: Path) -> tuple[Any, str | None]:
    """The Bundle in `path`, read by the guarded reader every entrance shares (size, depth,
    numbers, duplicate keys), or why it cannot be."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        return None, f"cannot read the file: {error.strerror}"
    try:
        return read_document(data, name="the file"), None
    except DocumentError as error:
        return None, str(error)


def _describe(result: BundleImport) -> str:
    patient = "patient added" if result.patient_created else "patient known"
    if result.patient_updated:
        patient += " (details updated)"
    episode = "episode opened" if result.episode_created else "episode continued"
    added = sum(result.added.values())
    kinds = ", ".join(f"{kind} {n}" for kind, n in result.added.items())
    text = (
        f"MRN {result.mrn}: {patient}, {episode} (episode {result.episode_id}); "
        f"{added} record{'s' if added != 1 else ''} added"
    )
    if kinds:
        text += f" ({kinds})"
    if result.already:
        text += f", {result.already} already imported"
    return text


def import_folder(
    folder: Annotated[
        Path, typer.Argument(help="A folder of FHIR R4 Bundles, one per *.json file.")
    ],
    as_user: Annotated[
        str,
        typer.Option("--as", help="Username of the importing user (the actor of every record)."),
    ],
    ward: Annotated[
        str | None,
        typer.Option("--ward", help="Name of the ward to import into (default: the only ward)."),
    ] = None,
) -> None:
    """Import every FHIR Bundle (*.json) in FOLDER into the ward: each Bundle in one
    transaction (all or nothing), with a summary of what was imported and what was
    rejected and why. Importing the same Bundles again adds nothing twice."""
    if not folder.is_dir():
        raise _bad(f"FOLDER: {str(folder)!r} is not a folder; allowed: a folder of *.json files")
    files = sorted(p for p in folder.glob("*.json") if p.is_file())
    if not files:
        raise _bad(f"FOLDER: {str(folder)!r} holds no *.json files; allowed: FHIR Bundles as JSON")

    from owm.cli.database import open_database

    with open_database("owm import") as database:
        actor = _importing_user(database, as_user)
        chosen = _chosen_ward(database, ward)
        outcomes = _import_files(database, actor, chosen.id, files)
    _summary(outcomes, chosen.name, as_user)
    if any(o.imported is None for o in outcomes):
        raise typer.Exit(1)


def _importing_user(database: Database, username: str) -> Actor:
    """The actor of the active user `username`, or exit 2 naming what is wrong."""
    user = database.user(username)
    if user is None:
        raise _bad(f"--as: {username!r} is not a user of this database")
    if not user.active:
        raise _bad(f"--as: {username!r} is not an active user")
    return database.acting_as(user)


def _chosen_ward(database: Database, name: str | None) -> WardView:
    """The ward named `name` (default: the only ward), or exit 2 listing the wards."""
    from owm.service.wards import list_wards

    wards = list_wards(database.uow(), database.system)
    names = ", ".join(repr(w.name) for w in wards) or "none (create one first)"
    if name is None:
        if len(wards) != 1:
            raise _bad(f"--ward: which ward? allowed: {names}")
        return wards[0]
    found = [w for w in wards if w.name == name]
    if not found:
        raise _bad(f"--ward: {name!r} is not a ward; allowed: {names}")
    return found[0]


def _import_files(
    database: Database, actor: Actor, ward_id: int, files: list[Path]
) -> list[_Outcome]:
    """Import each file in its own transaction, with a progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from owm.service.errors import ServiceError
    from owm.service.fhir_import import import_fhir_bundle

    outcomes: list[_Outcome] = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("importing FHIR Bundles", total=len(files))
        for path in files:
            document, problem = _read(path)
            if problem is not None:
                outcomes.append(_Outcome(path.name, reasons=(problem,)))
            else:
                try:
                    result = import_fhir_bundle(
                        database.uow(), actor, ward_id=ward_id, bundle=document, source=path.name
                    )
                    outcomes.append(_Outcome(path.name, imported=result))
                except ServiceError as error:
                    outcomes.append(_Outcome(path.name, reasons=_reasons(error)))
            bar.advance(task)
    return outcomes


def _summary(outcomes: list[_Outcome], ward: str, user: str) -> None:
    imported = [o for o in outcomes if o.imported is not None]
    rejected = [o for o in outcomes if o.imported is None]
    out = sys.stdout.write
    out(
        f"imported {len(imported)} of {len(outcomes)} Bundle{'s' if len(outcomes) != 1 else ''} "
        f"into ward {ward!r} as {user}\n"
    )
    for outcome in imported:
        assert outcome.imported is not None
        out(f"  {outcome.name}: {_describe(outcome.imported)}\n")
        for line in outcome.imported.ignored:
            out(f"      not read: {line}\n")
    if rejected:
        out(f"rejected {len(rejected)} (nothing of them was stored):\n")
        for outcome in rejected:
            out(f"  {outcome.name}:\n")
            for reason in outcome.reasons:
                out(f"      {reason}\n")
