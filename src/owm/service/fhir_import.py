"""Import one FHIR R4 Bundle into the ward: the patient, the episode and every record, in ONE transaction.

Why one transaction: a Bundle is one patient's record as another system holds it;
half of it (the doses without the scores, the episode without the medicines)
would make owm decide on a record that never existed. Everything is read and
checked first (`owm.fhir.import_bundle`, the same reading as `owm evaluate
--fhir`), then written inside one unit of work with an audit entry for each row
and one for the import; any problem rolls all of it back.

What goes where:
- the patient is found by MRN (`Patient.identifier`, see `owm.fhir.identity`),
  or created on the chosen ward; their details (age or date of birth, sex, weight,
  pregnancy, conditions, allergies, history) become the Bundle's;
- the episode is the patient's open episode that began when the Encounter did, or
  a new one (the first-line offer is recorded as not made, with a note that the
  Bundle did not say);
- each record (score, vital signs, sedation, symptom, side effect, alcohol,
  medicine, dose, acknowledgement) is stored under a stable idempotency key made
  from the resources it was read from (`fullUrl`, else `Type/id`), so importing
  the same Bundle again, or a later Bundle that still holds the same records,
  adds nothing twice. A record already imported with other content is a
  Conflict naming the resource: owm never overwrites a charted entry (void it in
  owm and import again).

Who may import: the importing user acts for every record, so they need every
permission those records need (admit; update the patient; record observations;
manage medicines; give doses; and acknowledge, which only physicians may, when
the Bundle holds acknowledgements). Doses are history from another system: they
are recorded, not given, so the dosing guard does not judge them; the next
decision counts them.

What is not guessed: a Bundle without an MRN, a name, a decision time or the
start of its Encounter is refused; so is a ward time zone in the Bundle that is
not the ward's. A medicine without a start time is recorded from the start of
the episode; a medicine that is not active is recorded as stopped from its start.
A dose without a charting time is recorded as charted when it was imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from owm.clinical.findings import iso
from owm.fhir.codes import EXT
from owm.service.actor import Actor
from owm.service.common import Acting, audit, begin, load_ward, parse_decimal, snapshot
from owm.service.errors import Conflict, InputError, PermissionDenied, Problem
from owm.service.permissions import MATRIX, Permission, allowed, require
from owm.service.protocols import protocol_for
from owm.service.recommendation import decide
from owm.store.audit import canonical_json
from owm.store.base import ClinicalEntry
from owm.store.models import (
    Acknowledgement,
    Administration,
    Alcohol,
    Assessment,
    Episode,
    Hold,
    Medication,
    Patient,
    Sedation,
    SideEffect,
    Symptom,
    UnmappedRecord,
    VitalSigns,
)
from owm.store.types import mg_to_ug
from owm.store.uow import UnitOfWork

if TYPE_CHECKING:
    from owm.fhir.importer import ImportResult

__all__ = ["BundleImport", "import_fhir_bundle"]

KEY_PREFIX = "fhir:"
FIRST_LINE_NOTE = (
    "Imported from a FHIR Bundle, which does not record whether methadone or "
    "buprenorphine was offered: offer it and record the choice."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleImport:
    """What one Bundle's import stored."""

    patient_id: int
    episode_id: int
    mrn: str
    patient_created: bool
    patient_updated: bool
    episode_created: bool
    added: Mapping[str, int] = field(default_factory=dict)
    """Records newly stored, by kind (assessment, vital_signs, administration, ...)."""
    already: int = 0
    """Records the Bundle holds that an earlier import had already stored."""
    ignored: tuple[str, ...] = ()
    """Resources read but not used, and why (unmapped conditions among them)."""


def _problem(where: str, message: str) -> Problem:
    return Problem(where, None, message)


def _rejected(lines: list[str]) -> InputError:
    """A BundleError's lines (`<resource> <element>: <message>`) as an InputError."""
    problems = []
    for line in lines:
        where, sep, message = line.partition(": ")
        problems.append(_problem(where, message) if sep else _problem("Bundle", line))
    return InputError.of(problems)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _key(kind: str, identities: tuple[str, ...], extra: str = "") -> str:
    digest = hashlib.sha256("\n".join((kind, *identities, extra)).encode()).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest[:40]}"


@dataclass
class _Writer:
    """Stores the records of one Bundle in one open unit of work."""

    uow: UnitOfWork
    acting: Acting
    episode: Episode
    now: datetime
    source: str
    added: dict[str, int] = field(default_factory=dict)
    already: int = 0

    def clinical_time(
        self, value: str, labels: tuple[str, ...], *, before_ok: bool = False
    ) -> datetime:
        moment = _moment(value)
        where = ", ".join(labels)
        if moment > self.now:
            raise InputError(where, value, f"a time not in the future (now is {iso(self.now)})")
        if not before_ok and moment < self.episode.admitted_at:
            raise InputError(
                where,
                value,
                f"a time at or after the start of the episode ({iso(self.episode.admitted_at)})",
            )
        return moment

    def store(
        self,
        model: type[ClinicalEntry],
        kind: str,
        key: str,
        labels: tuple[str, ...],
        identities: tuple[str, ...],
        columns: dict[str, Any],
        *,
        compared: tuple[str, ...] | None = None,
    ) -> None:
        """Add the row under `key`, or check the row an earlier import stored under it."""
        session = self.uow.session
        existing = session.execute(
            select(model).where(model.episode_id == self.episode.id, model.idempotency_key == key)
        ).scalar_one_or_none()
        names = compared if compared is not None else tuple(columns)
        if existing is not None:
            differs = [n for n in names if getattr(existing, n) != columns[n]]
            if differs:
                raise Conflict(
                    f"{', '.join(labels)} was imported before with other content (differs in "
                    f"{', '.join(differs)}); owm never overwrites a charted entry: void it in "
                    "owm, or correct the Bundle"
                )
            self.already += 1
            return
        row: Any = cast(Any, model)(
            episode_id=self.episode.id,
            entered_by=self.acting.user_id,
            entered_at=self.now,
            idempotency_key=key,
            **columns,
        )
        session.add(row)
        session.flush()
        audit(
            self.uow,
            self.acting,
            f"{row.__tablename__}.import",
            row,
            after={
                **snapshot(row),
                "source": {"bundle": self.source, "resources": list(identities)},
            },
        )
        self.added[kind] = self.added.get(kind, 0) + 1


def _details(document: Mapping[str, Any], patient: Mapping[str, Any]) -> dict[str, Any]:
    """The patient's columns from the state (date of birth when the age came from it)."""
    person = document.get("patient", {})
    age = person.get("age_years")
    born: date | None = None
    birth = patient.get("birthDate")
    extension_age = any(
        isinstance(e, Mapping) and e.get("url") == EXT.age_years
        for e in patient.get("extension") or []
    )
    if not extension_age and isinstance(birth, str) and len(birth) == 10:
        born = date.fromisoformat(birth)
        age = None
    weight = person.get("weight_kg")
    return {
        "date_of_birth": born,
        "age_years": age,
        "sex": person.get("sex"),
        "weight_kg": None
        if weight is None
        else parse_decimal(str(weight), field="Observation body weight (kg)", places=2),
        "pregnant": person.get("pregnant"),
        "conditions": sorted(person.get("conditions", [])),
        "allergies": sorted(person.get("allergies", [])),
        "history": sorted(person.get("history", [])),
    }


def _patient(
    uow: UnitOfWork,
    acting: Acting,
    *,
    ward_id: int,
    mrn: str,
    name: str,
    details: dict[str, Any],
    now: datetime,
) -> tuple[Patient, bool, bool]:
    """The patient by MRN (locked), created or updated; (row, created, updated)."""
    session = uow.session
    patient = session.execute(
        select(Patient).where(Patient.mrn == mrn).with_for_update()
    ).scalar_one_or_none()
    if patient is None:
        patient = Patient(
            ward_id=ward_id,
            bed=None,
            name=name,
            mrn=mrn,
            entered_by=acting.user_id,
            entered_at=now,
            updated_at=now,
            **details,
        )
        session.add(patient)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"MRN {mrn} was admitted at the same moment") from None
        audit(uow, acting, "patient.create", patient)
        return patient, True, False
    if patient.ward_id != ward_id:
        raise Conflict(f"MRN {mrn} belongs to a patient on another ward")
    changes = {
        k: v
        for k, v in {"name": name, **details}.items()
        if (sorted(getattr(patient, k)) if isinstance(v, list) else getattr(patient, k)) != v
    }
    if not changes:
        return patient, False, False
    require(acting.role, Permission.UPDATE_PATIENT)
    before = snapshot(patient)
    for key, value in changes.items():
        setattr(patient, key, value)
    patient.updated_at = now
    audit(uow, acting, "patient.update", patient, before=before)
    return patient, False, True


def _episode(
    uow: UnitOfWork,
    acting: Acting,
    patient: Patient,
    *,
    started: datetime,
    setting: str,
    now: datetime,
    label: str,
) -> tuple[Episode, bool]:
    """The patient's episode that began at `started` (open, locked), or a new one."""
    session = uow.session
    episodes = list(
        session.execute(
            select(Episode)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.admitted_at)
            .with_for_update()
        ).scalars()
    )
    same = next((e for e in episodes if e.admitted_at == started), None)
    if same is not None:
        if same.discharged_at is not None:
            raise Conflict(
                f"{label}: the episode that began at {iso(started)} was discharged at "
                f"{iso(same.discharged_at)}; a discharged episode takes no imported records"
            )
        return same, False
    open_episode = next((e for e in episodes if e.discharged_at is None), None)
    if open_episode is not None:
        raise Conflict(
            f"{label}: the patient with MRN {patient.mrn} has an open episode that began at "
            f"{iso(open_episode.admitted_at)}, not at {iso(started)}; discharge it first, or "
            "import a Bundle of that episode"
        )
    if started > now:
        raise InputError(label, iso(started), f"a start not in the future (now is {iso(now)})")
    last = max((e.discharged_at for e in episodes if e.discharged_at is not None), default=None)
    if last is not None and started < last:
        raise InputError(label, iso(started), f"a start after the last discharge ({iso(last)})")
    episode = Episode(
        patient_id=patient.id,
        admitted_at=started,
        setting=setting,
        first_line_offered=False,
        first_line_choice="undecided",
        first_line_note=FIRST_LINE_NOTE,
        entered_by=acting.user_id,
        entered_at=now,
    )
    session.add(episode)
    audit(uow, acting, "episode.admit", episode)
    return episode, True


def _permissions(acting: Acting, document: Mapping[str, Any]) -> None:
    """The actor must hold every permission the Bundle's records need."""
    needs = {
        Permission.RECORD_OBSERVATION: (
            "assessments",
            "vitals",
            "sedation",
            "symptoms",
            "side_effects",
            "alcohol",
            "unmapped",
        ),
        Permission.HOLD_DOSE: ("holds",),
        Permission.MANAGE_MEDICATIONS: ("medications",),
        Permission.GIVE_DOSE: ("administrations",),
        Permission.ACKNOWLEDGE: ("acknowledgements",),
    }
    for permission, parts in needs.items():
        held = [part.replace("_", " ") for part in parts if document.get(part)]
        if held and not allowed(acting.role, permission):
            raise PermissionDenied(
                acting.role,
                permission.value,
                f"role {acting.role!r} may not {permission.value.replace('-', ' ')}, and the "
                f"Bundle holds {', '.join(held)}; import it as a user who may "
                f"({', '.join(sorted(MATRIX[permission]))})",
            )


def _records(writer: _Writer, result: ImportResult, drug: str) -> None:
    """Store every record of the state under its stable key."""
    document: dict[str, Any] = result.document
    sources = result.sources

    def source(path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found = sources.get(path)
        if found is None:  # every record is read from a resource; never without one
            raise RuntimeError(f"no source for {path}")
        return found.identities, found.labels

    for index, record in enumerate(document.get("assessments", [])):
        ids, labels = source(f"assessments[{index}]")
        items = {k: int(v) for k, v in record["items"].items()}
        writer.store(
            Assessment,
            "assessment",
            _key("assessment", ids),
            labels,
            ids,
            {
                "at": writer.clinical_time(record["at"], labels),
                "instrument": record["instrument"],
                "items": items,
                "total": sum(items.values()),
                "unable_reason": None,
            },
        )
    for index, record in enumerate(document.get("vitals", [])):
        ids, labels = source(f"vitals[{index}]")
        temperature = record.get("temperature_c")
        writer.store(
            VitalSigns,
            "vital_signs",
            _key("vital_signs", (), record["at"]),
            labels,
            ids,
            {
                "at": writer.clinical_time(record["at"], labels),
                "respiratory_rate": record.get("respiratory_rate"),
                "spo2": record.get("spo2"),
                "oxygen": record.get("oxygen"),
                "systolic_bp": record.get("systolic_bp"),
                "pulse": record.get("pulse"),
                "consciousness": record.get("consciousness"),
                "temperature_c": None
                if temperature is None
                else parse_decimal(str(temperature), field=f"{labels[0]} temperature", places=2),
            },
        )
    for index, record in enumerate(document.get("sedation", [])):
        ids, labels = source(f"sedation[{index}]")
        writer.store(
            Sedation,
            "sedation",
            _key("sedation", ids),
            labels,
            ids,
            {
                "at": writer.clinical_time(record["at"], labels),
                "scale": record["scale"],
                "level": str(record["level"]).removeprefix("+"),
            },
        )
    for name, model in (("symptoms", Symptom), ("side_effects", SideEffect)):
        kind = model.__tablename__
        for index, record in enumerate(document.get(name, [])):
            ids, labels = source(f"{name}[{index}]")
            writer.store(
                model,
                kind,
                _key(kind, ids, record["code"]),
                labels,
                ids,
                {
                    "at": writer.clinical_time(record["at"], labels),
                    "code": record["code"],
                    "note": None,
                },
                compared=("at", "code"),
            )
    alcohol = document.get("alcohol", {})
    for name in ("last_drink_at", "breath_alcohol_mg_l"):
        if name not in alcohol:
            continue
        found = sources[f"alcohol.{name}"]
        ids, labels = found.identities, found.labels
        value = alcohol[name]
        columns: dict[str, Any] = {
            "at": writer.clinical_time(str(found.at), labels),
            "last_drink_at": _moment(value) if name == "last_drink_at" else None,
            "breath_alcohol_mg_l": parse_decimal(
                str(value), field=f"{labels[0]} breath alcohol", places=3
            )
            if name == "breath_alcohol_mg_l"
            else None,
        }
        writer.store(
            Alcohol,
            "alcohol",
            _key("alcohol", ids, f"{name}={value}"),
            labels,
            ids,
            columns,
            compared=("last_drink_at", "breath_alcohol_mg_l"),
        )
    _revision_2_records(writer, document, sources, drug)
    for index, record in enumerate(document.get("medications", [])):
        ids, labels = source(f"medications[{index}]")
        changed = record.get("changed_at")
        start = (
            writer.clinical_time(changed, labels, before_ok=True)
            if changed
            else writer.episode.admitted_at
        )
        writer.store(
            Medication,
            "medication",
            _key("medication", ids, record["class"]),
            labels,
            ids,
            {
                "at": start,
                "name": record["name"],
                "med_class": record["class"],
                "rxnorm": record.get("rxnorm"),
                "dose_text": None,
                "stopped_at": None if record.get("active", True) else start,
                "stopped_by": None if record.get("active", True) else writer.acting.user_id,
                "replaces_id": None,
            },
            compared=("at", "name", "med_class", "rxnorm", "stopped_at"),
        )
    for index, record in enumerate(document.get("administrations", [])):
        ids, labels = source(f"administrations[{index}]")
        dose = Decimal(str(record["dose_mg"]))
        try:
            mg_to_ug(dose)
        except ValueError:
            raise InputError(
                f"{labels[0]} dosage.dose", str(dose), "a dose in whole micrograms"
            ) from None
        given = writer.clinical_time(record["at"], labels)
        recorded = record.get("recorded_at")
        writer.store(
            Administration,
            "administration",
            _key("administration", ids),
            labels,
            ids,
            {
                "at": given,
                "drug": record["drug"],
                "dose_mg": dose,
                "route": record.get("route", "oral"),
                "outcome": record.get("outcome", "given"),
                "recorded_at": _moment(recorded) if recorded else writer.now,
                "recommendation_id": None,
                "note": None,
            },
            compared=("at", "drug", "dose_mg", "route", "outcome"),
        )
    for index, record in enumerate(document.get("acknowledgements", [])):
        ids, labels = source(f"acknowledgements[{index}]")
        writer.store(
            Acknowledgement,
            "acknowledgement",
            _key("acknowledgement", ids, f"{record['finding']}@{record['at']}"),
            labels,
            ids,
            {
                "at": writer.clinical_time(record["at"], labels),
                "finding": record["finding"],
                "reason": f"{record['reason']} (acknowledged by {record['by']}; imported)",
            },
            compared=("at", "finding"),
        )


def _revision_2_records(
    writer: _Writer, document: dict[str, Any], sources: Mapping[str, Any], drug: str
) -> None:
    """The records revision 2 of the clinical spec added: the patient's report of no drink,
    nurses' holds and what the Bundle held that owm could not map (kept so it escalates)."""
    if document.get("alcohol", {}).get("none_reported") is True:
        found = sources["alcohol.none_reported"]
        ids, labels = found.identities, found.labels
        writer.store(
            Alcohol,
            "alcohol",
            _key("alcohol", ids, "none_reported"),
            labels,
            ids,
            {
                "at": writer.clinical_time(str(found.at), labels),
                "last_drink_at": None,
                "breath_alcohol_mg_l": None,
                "none_reported": True,
            },
            compared=("none_reported",),
        )
    for index, record in enumerate(document.get("holds", [])):
        ids, labels = sources[f"holds[{index}]"].identities, sources[f"holds[{index}]"].labels
        writer.store(
            Hold,
            "dose_hold",
            _key("dose_hold", ids),
            labels,
            ids,
            {
                "at": writer.clinical_time(record["at"], labels),
                "drug": drug,
                "reason": record["reason"],
                "finding_codes": [],
                "recommendation_id": None,
            },
            compared=("at", "reason"),
        )
    for index, record in enumerate(document.get("unmapped", [])):
        ids, labels = sources[f"unmapped[{index}]"].identities, sources[f"unmapped[{index}]"].labels
        writer.store(
            UnmappedRecord,
            "unmapped_record",
            _key("unmapped_record", ids, record["text"]),
            labels,
            ids,
            {
                # The record stood before the episode: it counts from admission on.
                "at": writer.episode.admitted_at,
                "kind": record["kind"],
                "text": record["text"],
                "code": record.get("code"),
                "system": record.get("system"),
            },
            compared=("kind", "text", "code", "system"),
        )


def import_fhir_bundle(
    uow: UnitOfWork,
    actor: Actor,
    *,
    ward_id: int,
    bundle: Any,
    source: str = "bundle",
) -> BundleImport:
    """Import one FHIR R4 Bundle into ward `ward_id` as `actor`, all or nothing.

    `source` names the Bundle in the audit trail (a file name). Raises InputError
    (the Bundle cannot be read, or lacks what owm needs: each problem names the
    resource and element), Conflict (the MRN is on another ward, another open
    episode, a record imported before with other content), PermissionDenied (the
    actor may not record something the Bundle holds), NotFound (no such ward).
    Nothing is stored unless everything is.
    """
    from owm.fhir import BundleError, import_bundle
    from owm.fhir.identity import medical_record_number, patient_name
    from owm.terminology import TERMINOLOGY

    with uow:
        acting = begin(uow, actor, Permission.ADMIT)
        session = uow.session
        ward = load_ward(session, ward_id)
        protocol = protocol_for(ward.protocol_id)
        now = uow.now()
        timestamp = bundle.get("timestamp") if isinstance(bundle, dict) else None
        try:
            result = import_bundle(
                bundle,
                protocol,
                terminology=TERMINOLOGY,
                at=None if timestamp else iso(now.replace(microsecond=0)),
                timezone=ward.timezone,
            )
        except BundleError as error:
            raise _rejected(error.problems) from None
        if result.bundle_timezone is not None and result.bundle_timezone != ward.timezone:
            raise InputError(
                "Encounter extension[ward-timezone]",
                result.bundle_timezone,
                f"the time zone of ward {ward.name!r}: {ward.timezone}",
            )
        patient_resource = result.patient or {}
        label = f"Patient/{patient_resource.get('id', '?')}"
        mrn = medical_record_number(patient_resource)
        name = patient_name(patient_resource)
        missing = []
        if mrn is None:
            missing.append(
                _problem(
                    f"{label} identifier",
                    "no medical record number; allowed: one identifier typed MR "
                    "(http://terminology.hl7.org/CodeSystem/v2-0203), or a single identifier",
                )
            )
        elif len(mrn) > 50:
            missing.append(
                _problem(f"{label} identifier", f"{mrn[:20]!r}...: at most 50 characters")
            )
        if name is None:
            missing.append(_problem(f"{label} name", "missing; owm shows patients by name"))
        elif len(name) > 200:
            missing.append(_problem(f"{label} name", "at most 200 characters"))
        episode_doc = result.document.get("episode")
        if episode_doc is None:
            missing.append(
                _problem(
                    "Encounter period.start",
                    "missing; owm needs when the episode began (one Encounter with period.start)",
                )
            )
        if missing:
            raise InputError.of(missing)
        assert mrn is not None and name is not None and episode_doc is not None
        _permissions(acting, result.document)
        details = _details(result.document, patient_resource)
        patient, created, updated = _patient(
            uow, acting, ward_id=ward.id, mrn=mrn, name=name, details=details, now=now
        )
        episode, new_episode = _episode(
            uow,
            acting,
            patient,
            started=_moment(episode_doc["started_at"]),
            setting=episode_doc.get("setting", "inpatient"),
            now=now,
            label="Encounter period.start",
        )
        session.flush()
        writer = _Writer(uow, acting, episode, now, source)
        _records(writer, result, protocol.drug)
        _check_decidable(session, episode, now)
        audit(
            uow,
            acting,
            "fhir_bundle.import",
            episode,
            record_type="episode",
            after={
                "source": source,
                "bundle_sha256": hashlib.sha256(canonical_json(bundle).encode()).hexdigest(),
                "patient_id": patient.id,
                "mrn": mrn,
                "patient_created": created,
                "patient_updated": updated,
                "episode_created": new_episode,
                "added": dict(sorted(writer.added.items())),
                "already": writer.already,
                "ignored": list(result.ignored[:100]),
            },
        )
        uow.commit()
        return BundleImport(
            patient_id=patient.id,
            episode_id=episode.id,
            mrn=mrn,
            patient_created=created,
            patient_updated=updated,
            episode_created=new_episode,
            added=dict(sorted(writer.added.items())),
            already=writer.already,
            ignored=tuple(result.ignored),
        )


def _check_decidable(session: Session, episode: Episode, now: datetime) -> None:
    """The stored record must make a valid state (the decision itself is not logged)."""
    decide(session, episode, now)
