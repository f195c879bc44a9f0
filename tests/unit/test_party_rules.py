"""The pure rules of two parties and of changing details: who a step waits for as each
reader sees it, whom the starter still has to invite, what each may do, which agencies a
correction reaches, the address an invitation goes to, and the list query of joined events."""

from datetime import date
from typing import Any

import pytest

from adapters.notify import to_notify_message
from onceonly.api.life_events import list_query
from onceonly.domain.contact import EMAIL_RULE, PHONE_RULE
from onceonly.domain.notices import Reminder
from onceonly.invitations import contact_address, invitation_purpose, invitation_step
from onceonly.portal.parties import (
    STARTER,
    YOU,
    Waiting,
    covers,
    may_answer,
    may_withdraw,
    role_words,
    to_invite,
    told_of_change,
    waiting_for,
    waiting_words,
)

TODAY = date(2026, 12, 7)
EVENT_ID = f"birth-{'a' * 32}"


def step(state: str = "awaiting_consent", *parties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "id": more.pop("id", "register_birth"),
        "state": state,
        "parties": list(parties),
        "checkpoint": (checkpoint := more.pop("checkpoint", "acknowledgement")),
        "legal_basis": more.pop(
            "legal_basis", {"kind": "consent" if checkpoint == "consent" else "statute"}
        ),
        "agency": more.pop("agency", "bdm"),
        "fields": more.pop("fields", ["child.name", "other_parent.name"]),
        **more,
    }


def party(state: str = "awaiting", *, joined: bool = False) -> dict[str, Any]:
    return {"role": "other_parent", "state": state, "joined": joined}


def test_the_starter_sees_who_is_left_at_a_step_that_needs_both_parents():
    both = step("awaiting_consent", party())
    assert waiting_for(both, None, set()) == Waiting((YOU, "other_parent"), ("other_parent",))
    assert waiting_for(both, None, {"register_birth"}) == Waiting(
        ("other_parent",), ("other_parent",)
    )
    joined = step("awaiting_consent", party(joined=True))
    assert waiting_for(joined, None, {"register_birth"}) == Waiting(("other_parent",), ())
    assert waiting_for(step("awaiting_consent"), None, set()) == Waiting((YOU,), ())
    assert waiting_for(step("completed", party("granted", joined=True)), None, set()) is None


def test_the_other_parent_sees_their_own_part_and_then_the_starter():
    theirs = step("awaiting_consent", party(joined=True))
    assert waiting_for(theirs, "other_parent", set()) == Waiting((YOU,), ())
    answered = step("awaiting_consent", party("granted", joined=True))
    assert waiting_for(answered, "other_parent", {"register_birth"}) == Waiting((STARTER,), ())
    assert not may_answer(answered, "other_parent", set())
    assert may_answer(theirs, "other_parent", set())
    # A step that is not theirs at all: they have nothing to answer there.
    assert not may_answer(step("awaiting_consent", id="best_start"), "other_parent", set())


def test_only_the_starter_is_told_to_invite_and_only_for_parties_not_joined():
    event = {"party_role": None, "steps": [step("awaiting_consent", party()), step("granted")]}
    assert to_invite(event, {"register_birth"}) == [("register_birth", "other_parent")]
    assert to_invite({**event, "party_role": "other_parent"}, set()) == []
    joined = {"party_role": None, "steps": [step("awaiting_consent", party(joined=True))]}
    assert to_invite(joined, set()) == []


def test_withdrawing_is_the_starters_and_only_of_a_consent():
    granted = step("completed", checkpoint="consent")
    assert may_withdraw(granted, None)
    assert not may_withdraw(granted, "other_parent")
    assert not may_withdraw(step("completed"), None)  # a statutory step
    assert not may_withdraw(step("declined", checkpoint="consent"), None)
    # Asked for by consent but required by law (a dog's registration): kept, not withdrawn.
    required = step("completed", checkpoint="consent", legal_basis={"kind": "statute"})
    assert not may_withdraw(required, None)


def test_waiting_in_words_names_each_and_who_has_not_joined():
    assert waiting_words(Waiting((YOU, "other_parent"), ("other_parent",))) == (
        "Waiting for you and the other parent. The other parent has not joined yet"
    )
    assert waiting_words(Waiting((STARTER,), ())) == (
        "Waiting for the person who started this life event"
    )
    assert role_words("guardian") == "the guardian"  # a role with no words yet


def test_a_correction_reaches_the_steps_holding_the_detail_sent_or_still_to_send():
    event = {
        "steps": [
            step("completed", fields=["child.name"], agency="bdm"),
            step("granted", fields=["child.name", "child.date_of_birth"], agency="ird"),
            step("declined", fields=["child.name"], agency="msd"),
            step("submitted", fields=["address"], agency="health"),
        ]
    }
    assert told_of_change(event, "child.name.given_names") == [("bdm", "sent"), ("ird", "later")]
    assert told_of_change(event, "address.unit") == [("health", "sent")]
    assert told_of_change(event, "birth_parent.phone") == []
    assert covers("child.name", "child.name") and covers("child.name.given_names", "child")
    assert not covers("child.name", "child.names")


@pytest.mark.parametrize(
    ("channel", "written", "sent"),
    [
        ("email", "Tama@Example.NZ", "Tama@example.nz"),
        ("email", "tama.rawiri+baby@xn--bcher-kva.nz", "tama.rawiri+baby@xn--bcher-kva.nz"),
        ("sms", "021 123 4567", "+64211234567"),
        ("sms", "+44 20 7946 0958", "+442079460958"),
    ],
)
def test_an_invitation_goes_to_the_address_in_the_form_the_service_takes(channel, written, sent):
    assert contact_address(channel, written, TODAY) == sent


@pytest.mark.parametrize(
    ("channel", "written", "rule"),
    [
        ("email", "tama at example.nz", EMAIL_RULE),
        ("email", "tama@localhost", EMAIL_RULE),
        ("email", '"tama"@example.nz', EMAIL_RULE),
        ("sms", "12", PHONE_RULE),
        ("sms", "021 123 4567 ext 2", PHONE_RULE),
        ("sms", "tama@example.nz", PHONE_RULE),
    ],
)
def test_an_address_the_contact_rules_refuse_is_refused_with_the_rule(channel, written, rule):
    with pytest.raises(ValueError) as refused:
        contact_address(channel, written, TODAY)
    assert str(refused.value) == rule


def test_the_invitations_message_points_at_the_link_and_its_disclosure_says_why():
    reminder = Reminder(
        event_id=EVENT_ID,
        event_type="birth",
        step_ids=("register_birth",),
        kind="invitation",
        channel="email",
        to="tama@example.nz",
        idempotency_key=f"{EVENT_ID}/invitation/1",
    )
    link = "https://onceonly.example/invitations/accept?code=x"
    assert to_notify_message(reminder, link)["personalisation"]["reference"] == link
    assert to_notify_message(reminder)["personalisation"]["reference"] == EVENT_ID
    assert invitation_step("other_parent") == "invite_other_parent"
    assert invitation_purpose("invite_other_parent") == (
        "To send the other parent the invitation to give their own consent"
    )
    assert invitation_purpose("register_birth") is None


def test_the_list_query_names_the_starter_and_only_well_formed_joined_events():
    key = "f" * 64
    assert list_query(key, []) == f"OnceonlyCitizenKey = '{key}'"
    joined = [EVENT_ID, "birth-x' OR 1=1 --"]
    assert list_query(key, joined) == (
        f"(OnceonlyCitizenKey = '{key}') OR WorkflowId IN ('{EVENT_ID}')"
    )
