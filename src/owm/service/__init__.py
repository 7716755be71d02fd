"""Use cases: one function per thing a person does, each one transaction, each audited.

Every function takes a unit of work (`owm.store.uow.UnitOfWork`) and the acting
user (`owm.service.actor.Actor`: id + role + client address) first, then
keyword-only primitives; it checks the permission matrix
(`owm.service.permissions`), does its work in `with uow: ... uow.commit()`
(rolled back on any error), appends the audit entry in the same transaction, and
returns a frozen result (`owm.service.results`) or raises a typed error
(`owm.service.errors`: InputError -> 422, NotFound -> 404, Conflict and
DoseRefused -> 409, PermissionDenied -> 403, AuthenticationFailed -> 401).

| module | functions |
|---|---|
| admission | admit, update_patient |
| assessments | record_assessment (or unable to assess) |
| observations | record_vitals, record_sedation |
| symptoms | record_symptom, record_side_effect |
| medications | record_medication, stop_medication, change_medication |
| alcohol | record_alcohol |
| recommendation | get_recommendation |
| dosing | give_dose, hold_dose, record_administration |
| acknowledgements | acknowledge_finding, record_escalation_contact |
| voiding | void_entry |
| discharge | discharge |
| feedback | rate_stay, report_problem, list_problem_reports, close_problem_report |
| rating_kiosk | open_rating_kiosk, rating_kiosk_page, rate_stay_at_kiosk |
| users | create_user, get_user, list_users, set_password, deactivate_user, issue_token, list_tokens, revoke_token, authenticate, authenticate_token |
| wards | create_ward, set_ward_contact, list_wards, get_ward |
| assignments | assign_nurse, assignment_history, current_assignments |
| staff | staff_names, active_nurses |
| queries | list_patients, get_patient, get_episode, list_episodes, episode_record, list_recommendations, list_audit |
| overrides_report | overrides_report |

Times: timezone-aware datetimes (UTC inside); "now" is the unit of work's clock.
Doses: exact decimals in mg (`Decimal` or a string such as "0.5"), never floats.
"""
