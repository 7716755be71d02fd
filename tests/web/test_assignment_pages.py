"""Each nurse's own list of what is due, the nurse assignment on the patient page, and the
names of the people who entered records (never "user N"), over HTTP on both databases."""

from __future__ import annotations

import re

from owm.service import users
from owm.service.actor import Actor
from owm.service.assignments import assign_nurse
from owm.service.symptoms import record_symptom
from owm.service.voiding import void_entry

from .client import as_role


def _patient_id(app, world, episode: int) -> int:  # type: ignore[no-untyped-def]
    from owm.service.queries import get_episode

    return get_episode(world.uow(), world.nurse, episode_id=episode).patient_id


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]*data-testid="due-task"[^>]*>(.*?)</tr>', html, flags=re.S)


def test_a_nurse_sees_her_own_patients_by_default_and_the_whole_ward_on_request(app, world):
    mine = world.admit("D-1", name="Mina Mine", bed="1")
    theirs = world.admit("D-2", name="Theo Theirs", bed="2")
    world.admit("D-3", name="Una Unassigned", bed="3")
    other = users.create_user(
        world.uow(),
        Actor.system("test"),
        username="nurse2",
        full_name="Bea Second",
        role="nurse",
        password="correct horse battery",
    )
    assign_nurse(world.uow(), world.nurse, episode_id=mine, nurse_id=world.nurse.user_id)
    assign_nurse(world.uow(), world.nurse, episode_id=theirs, nurse_id=other.id)
    world.advance(hours=2)  # every patient's first COWS and vital signs are now overdue
    nurse = as_role(app, world, "nurse")

    own = nurse.get("/due")
    assert own.status_code == 200
    rows = _rows(own.text)
    assert rows and all("Mina Mine" in r for r in rows)
    assert "Theo Theirs" not in own.text
    assert 'data-testid="scope-mine"' in own.text and "My patients (1)" in own.text
    # Patients nobody looks after stay in sight on every nurse's own list.
    unassigned = re.search(r'data-testid="unassigned">(.*?)</p>', own.text, flags=re.S)
    assert unassigned is not None and "Una Unassigned" in unassigned.group(1)
    assert "overdue task" in unassigned.group(1)

    ward = nurse.get("/due?scope=ward").text
    names = " ".join(_rows(ward))
    assert "Mina Mine" in names and "Theo Theirs" in names and "Una Unassigned" in names
    assert "Bea Second" in names and "nobody" in names and ">you<" in names


def test_a_nurse_with_no_patients_is_told_so_and_a_physician_sees_the_ward(app, world):
    world.admit("D-1", name="Mina Mine")
    world.advance(hours=2)
    own = as_role(app, world, "nurse").get("/due").text
    assert 'data-testid="none-assigned"' in own and _rows(own) == []

    physician = as_role(app, world, "physician").get("/due").text
    assert 'data-testid="scope-mine"' not in physician
    assert any("Mina Mine" in r for r in _rows(physician))


def test_a_nurse_assigns_herself_on_the_patient_page_and_a_physician_reassigns(app, world):
    episode = world.admit("A-1", name="Ari Assign")
    patient = _patient_id(app, world, episode)
    nurse = as_role(app, world, "nurse")

    page = nurse.get(f"/patients/{patient}").text
    assert "no nurse assigned" in page and "Assign to me" in page
    taken = nurse.post(
        f"/patients/{patient}/assign",
        {"episode_id": str(episode), "nurse_id": str(world.nurse.user_id)},
    )
    assert taken.status_code == 200 and "Nurse assignment recorded." in taken.text
    facts = re.search(r'data-testid="assigned-nurse">(.*?)</dd>', taken.text, flags=re.S)
    assert facts is not None and "A Nurse (you)" in facts.group(1)

    physician = as_role(app, world, "physician")
    moved = physician.post(
        f"/patients/{patient}/assign", {"episode_id": str(episode), "nurse_id": ""}
    )
    assert moved.status_code == 200 and "no nurse assigned" in moved.text
    history = re.search(r'data-testid="assignment-history">(.*?)</ol>', moved.text, flags=re.S)
    assert history is not None and "A Nurse" in history.group(1)

    wrong = physician.post(
        f"/patients/{patient}/assign",
        {"episode_id": str(episode), "nurse_id": str(world.physician.user_id)},
    )
    assert wrong.status_code == 422 and 'id="err-nurse_id"' in wrong.text

    pharmacist = as_role(app, world, "pharmacist")
    assert "Assign to me" not in pharmacist.get(f"/patients/{patient}").text
    refused = pharmacist.post(
        f"/patients/{patient}/assign",
        {"episode_id": str(episode), "nurse_id": str(world.nurse.user_id)},
    )
    assert refused.status_code == 403


def test_the_timeline_names_who_entered_and_who_voided_each_entry(app, world):
    episode = world.admit("T-1", name="Tim Timeline")
    patient = _patient_id(app, world, episode)
    symptom = record_symptom(world.uow(), world.nurse, episode_id=episode, code="anxiety")
    record_symptom(world.uow(), world.physician, episode_id=episode, code="insomnia")
    void_entry(
        world.uow(),
        world.physician,
        record_type="symptom",
        entry_id=symptom.id,
        reason="wrong patient",
    )

    as_pharmacist = as_role(app, world, "pharmacist").get(f"/patients/{patient}").text
    timeline = as_pharmacist[as_pharmacist.index('id="timeline"') :]
    assert "by A Nurse (nurse)" in timeline
    assert "by A Physician (physician)" in timeline
    assert "marked by A Physician (physician)" in timeline
    assert not re.search(r"user \d+", timeline)

    as_nurse = as_role(app, world, "nurse").get(f"/patients/{patient}").text
    assert "by you" in as_nurse[as_nurse.index('id="timeline"') :]


def test_the_handoff_page_and_pdf_name_the_nurse_of_each_patient(app, world):
    import io

    from pypdf import PdfReader

    mine = world.admit("H-1", name="Hal Handoff", bed="1")
    world.admit("H-2", name="Ivy Nobody", bed="2")
    assign_nurse(world.uow(), world.nurse, episode_id=mine, nurse_id=world.nurse.user_id)
    nurse = as_role(app, world, "nurse")

    html = nurse.get("/handoff").text
    cells = re.findall(r'data-testid="handoff-nurse">(.*?)</span>\s*</td>', html, flags=re.S)
    assert len(cells) == 2
    assert "Nurse: A Nurse" in cells[0] and "nobody assigned" in cells[1]

    pdf = nurse.get("/handoff.pdf").content
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Nurse: A Nurse" in words and "Nurse: nobody assigned" in words
