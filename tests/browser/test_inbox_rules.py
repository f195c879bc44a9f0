"""The staff inbox's pure rules, no browser needed: who a staff session is, what the sign-in
form lacks, the task list's order and words, a consent receipt's check and a close the API
refused, in staff's words (the pages themselves: test_staff_inbox)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onceonly.auth import mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.portal.inbox import (
    FILTERS,
    TASK_ID,
    Staff,
    agency_names,
    arranged,
    chosen_filter,
    close_errors,
    closed_words,
    one_line,
    overdue_words,
    receipt_words,
    service_title,
    signin_errors,
    staff_of,
)
from onceonly.portal.routes_inbox import _done, _inbox_next
from onceonly.portal.text import EN, text
from onceonly.settings import Settings

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
PUBLIC = CATALOGUE.model_dump(mode="json")
AGENCIES = agency_names(PUBLIC)
TEMPLATES = Path("onceonly/portal/templates")


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret="inbox-rules-jwt-secret-0123456789-0123")


def summary(task_id: str, state: str, due: datetime, **more: object) -> dict[str, object]:
    return {
        "task_id": task_id,
        "kind": "submission",
        "service": "rates-notice-address",
        "step_id": "council_rates",
        "event_type": "move",
        "opened_at": (due - timedelta(days=5)).isoformat(),
        "due_at": due.isoformat(),
        "state": state,
        **more,
    }


def test_a_staff_session_is_a_valid_token_of_the_agency_role_naming_one_agency(settings):
    token = mint_token(settings, "jane.doe", role="agency", agency="council")
    assert staff_of(settings, token) == Staff(subject="jane.doe", agency="council")
    # A citizen's or an operator's token opens no inbox, nor does a forged or absent one.
    assert staff_of(settings, mint_token(settings, "jane.doe")) is None
    assert staff_of(settings, mint_token(settings, "ops", role="operator")) is None
    assert staff_of(settings, token[:-2] + "xx") is None
    assert staff_of(settings, None) is None
    other = Settings(jwt_secret="another-deployments-jwt-secret-0123456789")
    assert staff_of(other, token) is None


@pytest.mark.parametrize(
    ("name", "agency", "errors"),
    [
        ("jane.doe", "council", {}),
        ("j@council.govt.nz", "maori_land_court" if "maori_land_court" in AGENCIES else "ird", {}),
        ("", "council", {"staff_name": "inbox.rule.name"}),
        ("Jane Doe", "council", {"staff_name": "inbox.rule.name"}),
        ("j" * 129, "council", {"staff_name": "inbox.rule.name"}),
        ("<script>", "council", {"staff_name": "inbox.rule.name"}),
        ("jane", "", {"agency": "inbox.rule.agency"}),
        ("jane", "Your local council", {"agency": "inbox.rule.agency"}),  # a title, not an id
        ("", "nowhere", {"staff_name": "inbox.rule.name", "agency": "inbox.rule.agency"}),
    ],
)
def test_staff_sign_in_needs_a_token_subject_and_an_agency_of_the_catalogue(name, agency, errors):
    assert signin_errors(name, agency, AGENCIES) == errors
    for message in errors.values():
        assert text(message)  # every rule has its words


def test_the_sign_in_lists_the_catalogues_agencies_by_their_names_in_its_order():
    assert list(AGENCIES) == [agency.id for agency in CATALOGUE.agencies]
    assert AGENCIES["council"] == "Your local council"
    assert len(AGENCIES) >= 12


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/inbox/tasks/T-0123456789AB", "/inbox/tasks/T-0123456789AB"),
        ("/inbox?state=open", "/inbox?state=open"),
        ("/events/move-1", "/inbox"),  # a citizen's page is no page for staff to land on
        ("/inbox/sign-in", "/inbox"),
        ("//evil.example/inbox", "/inbox"),
        (None, "/inbox"),
    ],
)
def test_staff_sign_in_leads_only_to_a_page_of_the_inbox(asked, goes):
    assert _inbox_next(asked) == goes


def test_the_state_filter_is_one_the_api_knows_else_all():
    assert FILTERS[0] == "all"
    assert [chosen_filter(state) for state in (*FILTERS, None, "closed", "' or 1=1")] == [
        *FILTERS,
        "all",
        "all",
        "all",
    ]


def test_open_tasks_come_first_by_due_date_then_closed_ones_newest_first():
    tasks = [
        summary("T-000000000001", "completed", NOW - timedelta(days=9)),
        summary("T-000000000002", "open", NOW + timedelta(days=3)),
        summary("T-000000000003", "open", NOW - timedelta(days=2)),
        summary("T-000000000004", "rejected", NOW - timedelta(days=1)),
        summary("T-000000000005", "open", NOW + timedelta(hours=1)),
    ]
    open_, closed = arranged(tasks)
    assert [t["task_id"][-1] for t in open_] == ["3", "5", "2"]
    assert [t["task_id"][-1] for t in closed] == ["4", "1"]
    assert arranged([]) == ([], [])


@pytest.mark.parametrize(
    ("late", "words"),
    [
        (timedelta(hours=-1), None),
        (timedelta(0), "Overdue by less than a day"),
        (timedelta(hours=23, minutes=59), "Overdue by less than a day"),
        (timedelta(days=1, hours=3), "Overdue by 1 day"),
        (timedelta(days=2), "Overdue by 2 days"),
        (timedelta(days=40), "Overdue by 40 days"),
    ],
)
def test_an_open_task_past_its_due_time_says_by_how_long(late, words):
    assert overdue_words((NOW - late).isoformat(), NOW) == words


def test_the_service_is_the_steps_name_and_its_life_events_title():
    task = summary("T-000000000001", "open", NOW)
    assert service_title(task, PUBLIC) == "Council rates (Moving house)"
    dogs = {**task, "step_id": "council_dog_registration", "service": "dog-registration-transfer"}
    assert service_title(dogs, PUBLIC) == "Dog registration (Moving house)"
    # A step the portal has no name for yet reads as the agency's service, never blank.
    new = {**task, "step_id": "new_step", "service": "new-service", "event_type": "adoption"}
    assert service_title(new, PUBLIC) == "new-service (adoption)"


def test_the_consent_receipt_check_says_who_signed_it_or_what_is_wrong():
    signed = {"receipt": "a.b.c", "receipt_verification": {"verified": True, "receipt_id": "r1"}}
    assert receipt_words(signed) == (True, "Consent receipt checked: signed by onceonly")
    forged = {
        "receipt": "a.b.c",
        "receipt_verification": {"verified": False, "problem": "signature: does not verify"},
    }
    assert receipt_words(forged) == (
        False,
        "Consent receipt NOT valid: signature: does not verify",
    )
    problem = "no consent receipt: the step's legal basis is statute"
    by_law = {
        "receipt": None,
        "receipt_verification": {"verified": False, "problem": problem},
        "legal_basis": {"kind": "statute", "reference": "Dog Control Act 1996, s 49"},
    }
    assert receipt_words(by_law) == (
        True,
        "No consent receipt: the law allows this step without consent",
    )
    # A step on consent without its receipt is named as the problem it is.
    unsigned = {**by_law, "legal_basis": {"kind": "consent", "reference": "Your consent"}}
    assert receipt_words(unsigned) == (False, f"Consent receipt NOT valid: {problem}")


def test_a_closed_task_says_who_closed_it_when_and_how():
    def when(value):
        return f"<{value}>"

    done = {"state": "completed", "closed_by": "jane", "closed_at": "T", "outcome_reference": "R1"}
    assert closed_words(done, when) == "Completed by jane on <T>, with reference R1."
    no = {"state": "rejected", "closed_by": "jane", "closed_at": "T", "reason": "No such dog"}
    assert closed_words(no, when) == "Rejected by jane on <T>. Reason: No such dog"
    assert closed_words({"state": "open"}, when) is None


def test_a_refused_close_names_the_input_and_the_apis_rule():
    errors = [{"field": "reference", "rule": "must be 1 to 100 characters"}]
    assert close_errors("complete", errors, "reference: must be 1 to 100 characters") == [
        {
            "href": "#reference",
            "field": "reference",
            "rule": "must be 1 to 100 characters",
            "text": "Your reference: must be 1 to 100 characters",
        }
    ]
    # A problem without field errors still names the input, with the problem's detail.
    [only] = close_errors("reject", [], "reason: is required")
    assert only["text"] == "Why you cannot do it: reason: is required"
    assert only["href"] == "#reason"


def test_a_reason_typed_on_several_lines_is_sent_as_one():
    assert one_line("  No dog here.\r\n\r\nAsk the owner  to call us. ") == (
        "No dog here. Ask the owner  to call us."
    )
    assert one_line("RATES-1") == "RATES-1"
    assert one_line(" \n ") == ""


def test_only_the_inboxs_own_notices_are_shown_and_only_a_task_id_is_echoed():
    assert _done("completed", "T-0123456789AB", "en") == (
        "Task T-0123456789AB is completed. The citizen's life event has been told."
    )
    assert _done("rejected", "T-0123456789AB", "en") is not None
    assert _done("completed_later", "T-0123456789AB", "en") == (
        "Task T-0123456789AB is completed. The citizen's life event will take it up within "
        "the hour."
    )
    assert _done("completed", "<b>hi</b>", "en") is None
    assert _done("deleted", "T-0123456789AB", "en") is None
    assert TASK_ID.match("T-0123456789AB") and not TASK_ID.match("T-0123456789ab/../x")


def test_every_message_the_inbox_pages_use_exists_and_falls_back_to_english():
    used = set()
    for name in ("inbox_base", "inbox_signin", "inbox", "inbox_task"):
        used |= set(
            re.findall(r"""\bt\(["']([a-z_.]+)["']""", (TEMPLATES / f"{name}.html").read_text())
        )
    literal = {message for message in used if not message.endswith(".")}
    assert len(literal) > 25
    assert sorted(literal - set(EN)) == []
    dynamic = [
        f"inbox.{kind}.{task_kind}"
        for kind in ("kind", "todo")
        for task_kind in ("submission", "correction", "withdrawal", "effect_check")
    ]
    dynamic += [f"inbox.state.{state}" for state in ("open", "completed", "rejected")]
    dynamic += [f"inbox.filter.{state}" for state in FILTERS]
    dynamic += [
        f"inbox.basis.{kind}" for kind in ("consent", "statute", "information_sharing_agreement")
    ]
    dynamic += [
        f"inbox.{action}.{part}"
        for action, field in (("complete", "reference"), ("reject", "reason"))
        for part in (field, f"{field}.hint", "button")
    ]
    assert sorted(set(dynamic) - set(EN)) == []
    # Te reo Māori has no words for the inbox yet: it reads in English, never a message id.
    assert text("inbox.kind.correction", lang="mi") == "Correct a record"
