"""The cards owm answers with: opioid with benzodiazepine (CDC 2022 rec. 11) and owm's clonazepam advice.

Two findings make cards:

1. `opioid-benzodiazepine` (warning), the CDC 2022 opioid guideline's
   recommendation 11 ("use particular caution when prescribing opioid pain
   medication and benzodiazepines concurrently"):
   - order-select / order-sign: a draft benzodiazepine while an opioid is
     current or ordered with it, or a draft opioid while a benzodiazepine is;
   - patient-view: a current opioid and a current benzodiazepine.
   It may suggest cancelling the draft benzodiazepine order(s). It never
   suggests stopping, cancelling or withholding methadone or buprenorphine: when
   one of them is involved the card says not to withhold it (FDA Drug Safety
   Communication, 2017). A clonazepam order that owm evaluated is left to card 2,
   whose findings already say the same thing.
2. `clonazepam-<action>`: for a clonazepam order (or, in patient-view, a current
   clonazepam order), owm's recommendation from the EHR's data: the action, the
   dose, the reasons. Suggestions: set the dose owm recommends (give), or cancel
   the draft order (emergency, contraindicated, not-indicated, hold). When owm
   cannot build a valid state from the EHR's data, the card
   `clonazepam-not-evaluated` says so and why.

Each card's `uuid` is a UUIDv5 of service, patient and finding code, so the same
finding on the same patient always has the same uuid and a client can
de-duplicate. Several orders of the same medicine, or the same order sent twice,
make one card that names the medicine once.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from owm.cds.clonazepam import Evaluation
from owm.cds.medicines import Medicine, MedicineSet, dose_mg
from owm.cds.schemas import Action, Card, Coding, Link, Source, Suggestion
from owm.clinical import Recommendation
from owm.clinical.concurrency import opioid_with_benzodiazepine
from owm.clinical.findings import iso, mg_text
from owm.fhir.codes import OWM, SYSTEM, UCUM

__all__ = [
    "CDC_GUIDELINE_URL",
    "CardContext",
    "card_uuid",
    "clonazepam_card",
    "concurrency_card",
    "short",
]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{OWM}/cds-hooks/card")
CDC_GUIDELINE = "2022 CDC Clinical Practice Guideline for Prescribing Opioids for Pain"
CDC_GUIDELINE_URL = "https://www.cdc.gov/mmwr/volumes/71/rr/rr7103a1.htm"
OVERRIDE_SYSTEM = f"{OWM}/CodeSystem/cds-override-reason"
TOPIC_SYSTEM = f"{OWM}/CodeSystem/cds-topic"
DISCLAIMER = "Decision support for licensed clinicians. owm never doses by itself: a clinician decides and acts."

_INDICATOR: dict[str, Literal["info", "warning", "critical"]] = {
    "emergency": "critical",
    "contraindicated": "critical",
    "hold": "warning",
    "escalate": "warning",
    "not-indicated": "warning",
    "give": "info",
}
_CANCEL = {"emergency", "contraindicated", "not-indicated", "hold"}
_CANCEL_RECOMMENDED = {"emergency", "contraindicated"}


def _reason(code: str, display: str) -> Coding:
    return Coding(system=OVERRIDE_SYSTEM, code=code, display=display)


CONCURRENCY_REASONS = (
    _reason("benefit-outweighs-risk", "Benefit outweighs the risk; patient will be monitored"),
    _reason("taper-planned", "Benzodiazepine or opioid taper is under way or planned"),
    _reason("oud-treatment", "Methadone or buprenorphine treatment: not to be withheld"),
    _reason("not-concurrent", "The medicines will not be taken at the same time"),
    _reason("palliative-care", "Palliative or end-of-life care"),
)
CLONAZEPAM_REASONS = (
    _reason("physician-reviewed", "A physician reviewed the findings and decided"),
    _reason("ehr-data-outdated", "The EHR data are out of date; owm's own record differs"),
    _reason("clinical-judgement", "Clinical judgement: the situation is not covered"),
)


SEARCH_PATH = "/"
"""Where a card links when owm has no patient with the EHR patient's MRN: the ward board,
which lists owm's patients."""


@dataclass(frozen=True, slots=True)
class CardContext:
    """Who the cards are for and where owm lives.

    `patient_id` is the EHR's id (it makes the card uuids); `owm_patient_id` is owm's
    patient with the same MRN, when there is one, and the card links to their page;
    otherwise it links to the ward board (`SEARCH_PATH`), saying why.
    """

    service_id: str
    patient_id: str
    base_url: str
    owm_patient_id: int | None = None
    mrn: str | None = None

    @property
    def patient_link(self) -> Link:
        if self.owm_patient_id is not None:
            return Link(
                label="Open the patient in owm",
                url=f"{self.base_url}/patients/{self.owm_patient_id}",
                type="absolute",
            )
        why = (
            f"no owm patient has MRN {self.mrn}"
            if self.mrn
            else "the EHR sent no medical record number owm can match"
        )
        return Link(
            label=f"Find the patient on owm's ward board ({why})",
            url=f"{self.base_url}{SEARCH_PATH}"
            + (f"?mrn={quote(self.mrn, safe='')}" if self.mrn else ""),
            type="absolute",
        )


def card_uuid(service_id: str, patient_id: str, finding: str) -> str:
    """The same finding on the same patient from the same service gives the same uuid."""
    return str(uuid.uuid5(NAMESPACE, f"{service_id}\n{patient_id}\n{finding}"))


def _suggestion_uuid(card: str, key: str) -> str:
    return str(uuid.uuid5(uuid.UUID(card), key))


def short(text: str, limit: int = 139) -> str:
    """`text` cut to fit a card summary (fewer than 140 characters)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _grouped(medicines: Iterable[Medicine]) -> dict[str, list[Medicine]]:
    groups: dict[str, list[Medicine]] = {}
    for medicine in medicines:
        groups.setdefault(medicine.label, []).append(medicine)
    return groups


def _describe(groups: Mapping[str, Sequence[Medicine]]) -> list[str]:
    lines = []
    for label, items in groups.items():
        drafts = sum(1 for m in items if m.draft)
        kinds = []
        if drafts:
            kinds.append("draft order" if drafts == 1 else f"{drafts} draft orders")
        if len(items) - drafts:
            n = len(items) - drafts
            kinds.append("current" if n == 1 else f"{n} current orders")
        note = ", counted once" if len(items) > 1 else ""
        lines.append(f"{label} ({' and '.join(kinds)}{note})")
    return lines


def concurrency_card(
    ctx: CardContext, medicines: MedicineSet, *, hook: str, covered: frozenset[str] = frozenset()
) -> Card | None:
    """The CDC rec. 11 card, or None when no opioid and benzodiazepine meet.

    The decision is the core's (`owm.clinical.concurrency`); this only renders it.
    `covered`: keys of clonazepam orders whose owm card already carries this finding.
    """
    decision = opioid_with_benzodiazepine(
        medicines.current,
        medicines.drafts,
        medicines.triggers,
        patient_view=hook == "patient-view",
        covered=covered,
    )
    if decision is None:
        return None
    benzodiazepines, opioids = decision.benzodiazepines, decision.opioids
    trigger_kind = decision.trigger
    identifier = card_uuid(ctx.service_id, ctx.patient_id, "opioid-benzodiazepine")
    benzo_groups = _grouped(benzodiazepines)
    opioid_groups = _grouped(opioids)
    moud = sorted({m.label for m in decision.moud})
    other = "opioid" if trigger_kind == "benzodiazepine" else "benzodiazepine"
    if hook == "patient-view":
        lead = "This patient has an active opioid and an active benzodiazepine."
    else:
        article = "an" if other == "opioid" else "a"
        lead = (
            f"The {trigger_kind} order is concurrent with {article} {other} the patient "
            "is on or is being ordered."
        )
    detail = [
        f"**Opioid and benzodiazepine together.** {lead}",
        "",
        *(f"- Benzodiazepine: {line}" for line in _describe(benzo_groups)),
        *(f"- Opioid: {line}" for line in _describe(opioid_groups)),
        "",
        "Together they raise the risk of fatal respiratory depression and overdose "
        "(FDA boxed warning, 2016). The 2022 CDC guideline (recommendation 11) asks for "
        "particular caution and a weighing of benefits and risks before prescribing them "
        "together; consider offering naloxone.",
    ]
    if moud:
        names = " and ".join(moud)
        detail += [
            "",
            f"**Do not stop or withhold {names}** because of a benzodiazepine: untreated opioid "
            "use disorder carries the greater risk (FDA Drug Safety Communication, 2017). "
            "Monitor closely instead.",
        ]
    suggestions: list[Suggestion] = []
    if hook != "patient-view":
        drafts = [m for m in decision.cancellable if m.resource_id]
        for label, items in _grouped(drafts).items():
            suggestions.append(
                Suggestion(
                    label=short(f"Cancel the draft {label} order"),
                    uuid=_suggestion_uuid(identifier, f"cancel:{label}"),
                    actions=[
                        Action(
                            type="delete",
                            description=f"Cancel the draft order for {m.name}",
                            resourceId=f"MedicationRequest/{m.resource_id}",
                        )
                        for m in items
                    ],
                )
            )
    names = ", ".join([*benzo_groups, *opioid_groups])
    if moud:
        # Never "avoid" opioid use disorder treatment: caution and monitoring instead.
        lead_text = f"Benzodiazepine with {' and '.join(moud)}: do not withhold it; monitor closely"
    else:
        lead_text = "Opioid with benzodiazepine: avoid prescribing them together where possible"
    summary = f"{lead_text} ({names})."
    if len(summary) > 139:
        summary = short(f"{lead_text}.")
    return Card(
        uuid=identifier,
        summary=summary,
        detail="\n".join(detail),
        indicator="warning",
        source=Source(
            label=CDC_GUIDELINE,
            url=CDC_GUIDELINE_URL,
            topic=Coding(
                system=SYSTEM.finding,
                code="opioid-benzodiazepine",
                display="Opioid and benzodiazepine together",
            ),
        ),
        suggestions=suggestions or None,
        selectionBehavior="any" if suggestions else None,
        overrideReasons=list(CONCURRENCY_REASONS),
        links=[ctx.patient_link],
    )


MAX_UNMAPPED = 20
"""Unmapped conditions listed in a card at most (the rest are counted)."""


def _markdown_text(text: str) -> str:
    """Text from the EHR, shown as text: markdown's special characters escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~-])", r"\\\1", " ".join(text.split()))


def _with_dose(order: Mapping[str, Any], dose: Decimal) -> dict[str, Any]:
    resource: dict[str, Any] = copy.deepcopy(dict(order))
    dosage = resource.get("dosageInstruction")
    if not isinstance(dosage, list) or not dosage or not isinstance(dosage[0], dict):
        dosage = [{}]
        resource["dosageInstruction"] = dosage
    rates = dosage[0].get("doseAndRate")
    if not isinstance(rates, list) or not rates or not isinstance(rates[0], dict):
        rates = [{}]
        dosage[0]["doseAndRate"] = rates
    number = int(dose) if dose == dose.to_integral_value() else float(dose)
    rates[0]["doseQuantity"] = {"value": number, "unit": "mg", "system": UCUM, "code": "mg"}
    return resource


def _when(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def _summary(recommendation: Recommendation) -> str:
    action = recommendation.action
    reasons = [f.code for f in recommendation.findings if f.severity != "info"]
    why = f" ({', '.join(reasons)})" if reasons else ""
    if action == "give" and recommendation.dose_mg is not None:
        return short(
            f"owm: clonazepam {mg_text(recommendation.dose_mg)} mg {recommendation.route} "
            f"is within the protocol now{why}."
        )
    text = {
        "emergency": "owm: EMERGENCY, do not give clonazepam",
        "contraindicated": "owm: clonazepam is contraindicated",
        "hold": "owm: hold clonazepam now",
        "escalate": "owm: a physician must decide before clonazepam",
        "not-indicated": "owm: clonazepam is not indicated now",
    }.get(action, f"owm: {action}")
    return short(f"{text}{why}.")


def _detail(
    recommendation: Recommendation,
    orders: Sequence[Medicine],
    doses: Mapping[str, Decimal | None],
    unmapped: Sequence[str] = (),
) -> str:
    r = recommendation
    head = f"**owm recommendation: {r.action}**"
    if r.dose_mg is not None:
        head += f" clonazepam {mg_text(r.dose_mg)} mg {r.route}"
    lines = [
        head,
        "",
        f"- Protocol: {r.protocol_id} (version {r.protocol_version}), at {iso(r.at)}",
        f"- Course day: {r.course_day}",
        f"- Left of the 24 h maximum{' after this dose' if r.dose_mg else ''}: "
        f"{mg_text(r.remaining_24h_mg)} mg",
    ]
    if r.next_dose_not_before is not None:
        lines.append(f"- Next dose not before: {iso(r.next_dose_not_before)}")
    if r.withdrawal:
        lines.append(
            f"- Withdrawal: {r.withdrawal.get('instrument')} {r.withdrawal.get('score')} "
            f"({r.withdrawal.get('band')}) at {_when(r.withdrawal.get('at'))}"
        )
    if r.news2:
        lines.append(f"- NEWS2: {r.news2.get('score')} ({r.news2.get('response')})")
    drafts = [m for m in orders if m.draft]
    for label, items in _grouped(drafts).items():
        for m in items:
            dose = doses.get(m.key)
            said = f"{mg_text(dose)} mg" if dose is not None else "no dose in mg given"
            lines.append(f"- Draft order {m.resource_id or ''}: {label}, {said}".replace("  ", " "))
    if len(drafts) > 1:
        lines.append(f"- {len(drafts)} draft clonazepam orders: counted once")
    lines += ["", "**Reasons**", ""]
    for finding in r.findings:
        lines.append(
            # A message can quote the EHR's own text (an unmapped record): shown as text.
            f"- **{finding.severity}** `{finding.code}`: {_markdown_text(finding.message)} "
            f"(rule `{finding.rule}`; {finding.source})"
        )
    if r.checklist:
        lines += ["", "**Checklist**", ""] + [f"1. {step}" for step in r.checklist]
    if unmapped:
        shown = list(unmapped[:MAX_UNMAPPED])
        lines += [
            "",
            "**Not read by owm: check these yourself** (active conditions or allergies whose "
            "codes owm does not map; owm decided without them)",
            "",
            *(f"- {_markdown_text(line)}" for line in shown),
        ]
        if len(unmapped) > len(shown):
            lines.append(f"- ... and {len(unmapped) - len(shown)} more")
    lines += ["", f"_{DISCLAIMER}_"]
    return "\n".join(lines)


def clonazepam_card(ctx: CardContext, evaluation: Evaluation, orders: Sequence[Medicine]) -> Card:
    """owm's recommendation for the clonazepam order(s) `orders` (drafts, or current ones)."""
    if evaluation.recommendation is None:
        identifier = card_uuid(ctx.service_id, ctx.patient_id, "clonazepam-not-evaluated")
        problems = list(evaluation.problems[:10])
        more = len(evaluation.problems) - len(problems)
        detail = [
            "**owm could not evaluate clonazepam for this patient** from the EHR's data: "
            "owm decides only from complete, valid data and guesses nothing.",
            "",
            *(f"- {p}" for p in problems),
        ]
        if more > 0:
            detail.append(f"- ... and {more} more")
        detail += [
            "",
            "Record the assessment in owm, or check the data sent.",
            "",
            f"_{DISCLAIMER}_",
        ]
        return Card(
            uuid=identifier,
            summary="owm could not check clonazepam: the EHR data do not make a complete record.",
            detail="\n".join(detail),
            indicator="warning",
            source=Source(
                label="owm clonazepam-adjunct protocol",
                topic=Coding(
                    system=TOPIC_SYSTEM,
                    code="clonazepam-not-evaluated",
                    display="owm could not evaluate clonazepam",
                ),
            ),
            overrideReasons=list(CLONAZEPAM_REASONS),
            links=[ctx.patient_link],
        )
    r = evaluation.recommendation
    identifier = card_uuid(ctx.service_id, ctx.patient_id, f"clonazepam-{r.action}")
    drafts = [m for m in orders if m.draft and m.resource_id]
    doses = {m.key: dose_mg(m.resource) for m in orders if m.draft}
    indicator: Literal["info", "warning", "critical"] = _INDICATOR[r.action]
    suggestions: list[Suggestion] = []
    if r.action == "give" and r.dose_mg is not None:
        recommended = r.dose_mg
        differ = [m for m in drafts if doses.get(m.key) != recommended]
        ordered = [doses.get(m.key) for m in orders if m.draft]
        if any(dose is None or dose > recommended for dose in ordered):
            indicator = "warning"
        if differ:
            suggestions.append(
                Suggestion(
                    label=f"Set the clonazepam dose to {mg_text(recommended)} mg",
                    uuid=_suggestion_uuid(identifier, f"dose:{mg_text(recommended)}"),
                    isRecommended=True,
                    actions=[
                        Action(
                            type="update",
                            description=(
                                f"Set the dose of draft order {m.resource_id} to "
                                f"{mg_text(recommended)} mg"
                            ),
                            resource=_with_dose(m.resource, recommended),
                        )
                        for m in differ
                    ],
                )
            )
    elif r.action in _CANCEL and drafts:
        suggestions.append(
            Suggestion(
                label="Cancel the draft clonazepam order",
                uuid=_suggestion_uuid(identifier, "cancel:clonazepam"),
                isRecommended=r.action in _CANCEL_RECOMMENDED,
                actions=[
                    Action(
                        type="delete",
                        description=f"Cancel the draft order for {m.name}",
                        resourceId=f"MedicationRequest/{m.resource_id}",
                    )
                    for m in drafts
                ],
            )
        )
    return Card(
        uuid=identifier,
        summary=_summary(r),
        detail=_detail(r, orders, doses, evaluation.unmapped),
        indicator=indicator,
        source=Source(
            label=f"owm protocol {r.protocol_id} (version {r.protocol_version})",
            topic=Coding(
                system=TOPIC_SYSTEM,
                code=f"clonazepam-{r.action}",
                display=f"owm clonazepam recommendation: {r.action}",
            ),
        ),
        suggestions=suggestions or None,
        selectionBehavior="at-most-one" if suggestions else None,
        overrideReasons=list(CLONAZEPAM_REASONS),
        links=[ctx.patient_link],
    )
