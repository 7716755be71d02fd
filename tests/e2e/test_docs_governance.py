"""Clinical governance in a real Chromium: a problem reported from a recommendation
reaches the admins' list with the protocol version; the overrides report counts a
physician's acknowledgement."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from .conftest import screenshot, signed_in
from .docs_support import admit, ready_for_dose, unique


def test_a_problem_report_reaches_the_admin_list(context: BrowserContext, owm_server):
    name = unique("Nat Reported")
    episode = admit(owm_server, name, bed="21")
    ready_for_dose(owm_server, episode)
    nurse = signed_in(context.new_page(), owm_server, "nurse")
    nurse.goto(owm_server.url("/handoff"))
    row = nurse.locator('[data-testid="handoff-row"]', has_text=name)
    row.get_by_role("link", name="Report a problem with this recommendation").click()

    shown = nurse.get_by_test_id("reported-recommendation")
    expect(shown).to_contain_text("clonazepam-adjunct version 2")
    problem = f"Night dose looked too high for {name}"
    nurse.get_by_label("What is the problem?").fill(problem)
    nurse.get_by_role("button", name="Send the report").click()
    expect(nurse.get_by_test_id("problem-stored")).to_contain_text("is stored")

    admin_context = context.browser.new_context()  # type: ignore[union-attr]
    try:
        admin = signed_in(admin_context.new_page(), owm_server, "admin")
        admin.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Problem reports"
        ).click()
        report = admin.locator('[data-testid="problem-report"]', has_text=problem)
        expect(report).to_be_visible()
        expect(report).to_contain_text("Give")
        expect(report).to_contain_text("clonazepam-adjunct version 2")
        expect(report).to_contain_text("Nina Nurse")
    finally:
        admin_context.close()


def test_the_overrides_report_counts_an_acknowledgement(context: BrowserContext, owm_server):
    from owm.service.acknowledgements import acknowledge_finding
    from owm.service.medications import record_medication
    from owm.service.overrides_report import overrides_report

    admin_page = signed_in(context.new_page(), owm_server, "admin")
    admin_page.goto(owm_server.url("/governance/overrides"))
    before = int(admin_page.get_by_test_id("acks-cyp3a-inhibitor").inner_text())

    episode = admit(owm_server, unique("Ola Override"), bed="22")
    record_medication(
        owm_server.uow(),
        owm_server.actor("nurse"),
        episode_id=episode,
        name="clarithromycin",
        med_class="cyp3a-inhibitor",
    )
    ready_for_dose(owm_server, episode)
    acknowledge_finding(
        owm_server.uow(),
        owm_server.actor("physician"),
        episode_id=episode,
        finding="cyp3a-inhibitor",
        reason="short course; dose reviewed",
    )

    admin_page.reload()
    expect(admin_page.get_by_test_id("acks-cyp3a-inhibitor")).to_have_text(str(before + 1))
    per_prescriber = admin_page.get_by_test_id("overrides-per-prescriber")
    expect(per_prescriber).to_contain_text("Dr Phil Physician")
    expect(per_prescriber).to_contain_text("cyp3a-inhibitor")
    screenshot(admin_page, "overrides")
    report = overrides_report(owm_server.uow(), owm_server.actor("admin"))
    assert (
        next(r for r in report.rules if r.code == "cyp3a-inhibitor").acknowledgements == before + 1
    )
