"""Consent's words as pure rules, no browser needed: values as people write them, what a
decline stops, why a step was skipped or does not apply, question numbers that never jump,
what cannot be withdrawn (the portal's offer and the API's refusal), and every message id the
consent templates use."""

import re
from datetime import date
from pathlib import Path
from typing import Any

from onceonly.api.consents import statutory_refusal
from onceonly.domain.catalogue import CATALOGUE
from onceonly.portal import consent
from onceonly.portal.text import EN
from onceonly.samples import death_request_data

AGENCIES = {"msd": "Ministry of Social Development", "ird": "Inland Revenue", "bdm": "BDM"}
TEMPLATES = Path(consent.__file__).parent / "templates"


def step(step_id: str, state: str, depends_on: tuple[str, ...] = (), **more: Any) -> dict:
    agency = {"child_ird_number": "ird", "register_birth": "bdm"}.get(step_id, "msd")
    basis = "statute" if step_id.startswith("register_") else "consent"
    return {
        "id": step_id,
        "agency": agency,
        "state": state,
        "depends_on": list(depends_on),
        "legal_basis": {"kind": basis, "reference": "an Act"},
        "checkpoint": "acknowledgement" if basis == "statute" else "consent",
        **more,
    }


def test_values_read_as_people_write_them():
    death = death_request_data(date(2026, 12, 1))
    name = consent.display("deceased.name", death["deceased"]["name"])
    assert name == "Hōhepa Te Rangi Synthetic (known as Joe)"
    address = consent.display("deceased.last_address", death["deceased"]["last_address"])
    assert address == "1280 State Highway 1, Kaiwaka, RD 2, Kaiwaka 0573"
    box = consent.display("notifier.postal_address", death["notifier"]["postal_address"])
    assert box.startswith("PO Box 1234")
    assert consent.display("deceased.date_of_birth", "1941-02-11") == "11 February 1941"
    assert consent.display("deceased.kainga_ora_tenant", True) == "Yes"
    assert consent.display("notifier.relationship", "spouse_or_partner") == "Spouse or partner"
    assert consent.display("birth_parent.ird_number", "049091850") == "049-091-850"
    assert consent.display("deceased.driver_licence", {"number": "HS654321", "version": "004"}) == (
        "Number: HS654321; Version: 004"
    )
    assert consent.display("other_parent.name", None) == "Not given"


def test_the_readable_list_follows_the_catalogue_and_says_what_is_not_known_yet():
    fields = ["child.birth_registration_number", "child.date_of_birth"]
    preview = {
        "disclosed": {"child.birth_registration_number": "(issued by BDM when its step completes)",
                      "child.date_of_birth": "2026-11-30"},
        "pending": ["child.birth_registration_number"],
    }  # fmt: skip
    assert consent.readable(fields, preview) == [
        ("Your baby's birth registration number", EN["value.pending"]),
        ("Your baby's date of birth", "30 November 2026"),
    ]
    # A preview made before previews carried the disclosure: the labels alone.
    assert consent.readable(fields, {"body": {}}) == [
        ("Your baby's birth registration number", ""),
        ("Your baby's date of birth", ""),
    ]


def test_a_decline_names_every_step_it_stops_but_none_that_does_not_apply():
    steps = [
        step("register_birth", "completed"),
        step("child_ird_number", "awaiting_consent", ("register_birth",)),
        step("best_start", "awaiting_consent", ("child_ird_number",)),
        step("funeral_grant", "not_applicable", ("child_ird_number",)),
    ]
    assert [s["id"] for s in consent.dependants(steps, "register_birth")] == [
        "child_ird_number",
        "best_start",
    ]
    assert consent.dependants(steps, "best_start") == []


def test_a_skipped_step_names_the_declined_step_behind_it_and_what_to_do():
    steps = [
        step("child_ird_number", "declined"),
        step("best_start", "skipped", ("child_ird_number",)),
        step("immunisation_register", "skipped", ("best_start",)),
    ]
    why, todo = consent.explain(steps[2], steps, AGENCIES, None) or ("", "")
    assert why == "You declined “Your baby's IRD number”, so this step could not run."
    assert todo == "To do this now, contact Ministry of Social Development directly."
    assert consent.explain(steps[0], steps, AGENCIES, None) is None


def test_a_step_that_does_not_apply_says_which_answer_was_missing():
    msd = step("stop_msd_payments", "not_applicable")
    why, todo = consent.explain(msd, [msd], AGENCIES, {"path": "deceased.msd_client_number"}) or (
        "",
        "",
    )
    assert why == "Does not apply: no Work and Income client number was given."
    assert "0800 559 009" in todo
    other = step("update_msd_address", "not_applicable")
    why, todo = consent.explain(other, [other], AGENCIES, {"path": "mover.nhi_number"}) or ("", "")
    assert why == "Does not apply: no health number (NHI) was given."
    assert todo == "If this should apply, contact Ministry of Social Development directly."
    registered = step("register_death", "not_applicable")
    why, _ = consent.explain(
        registered, [registered], AGENCIES, {"path": "x", "present": False}
    ) or (
        "",
        "",
    )
    assert why.startswith("Does not apply: the death is already registered")


def test_question_numbers_go_up_one_at_a_time_whatever_is_skipped():
    steps = [
        step("register_birth", "granted"),
        step("child_ird_number", "declined"),
        step("best_start", "skipped"),
        step("health_enrolment", "awaiting_consent"),
        step("immunisation_register", "awaiting_consent"),
    ]
    waiting = ["health_enrolment", "immunisation_register"]
    assert consent.question_numbers(steps, waiting) == {
        "health_enrolment": 3,
        "immunisation_register": 4,
    }


def test_a_statutory_step_is_never_offered_for_withdrawal_and_the_api_refuses_it():
    registered = step("register_birth", "completed")
    assert not consent.withdrawable(registered)
    assert consent.kept_by_law(registered)
    assert consent.withdrawable(step("best_start", "completed"))
    assert not consent.kept_by_law(step("best_start", "completed"))
    birth = CATALOGUE.event("birth")
    refusal = statutory_refusal(birth, "register_birth")
    assert refusal is not None
    assert refusal.startswith("step_id: register_birth is required by law (Births, Deaths")
    assert "The birth register is permanent" in refusal
    assert statutory_refusal(birth, "best_start") is None
    assert statutory_refusal(birth, "no_such_step") is None


def test_every_message_the_consent_templates_use_exists():
    used = set()
    for name in ("checkpoint", "choices", "_consent", "_progress", "progress", "withdraw"):
        used |= set(
            re.findall(r"""\bt\(["']([a-z_.]+)["']""", (TEMPLATES / f"{name}.html").read_text())
        )
    literal = {message for message in used if not message.endswith(".")}  # not "basis." ~ kind
    assert len(literal) > 30
    assert sorted(literal - set(EN)) == []
