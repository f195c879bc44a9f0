"""The usage drill's plan and its judgement (bench/usage_plan.py, bench/usage_checks.py,
bench/release_checks.py): pure rules, checked here on figures made by hand and by the release
rules themselves."""

from collections import Counter
from typing import Any

import pytest

from bench.release_checks import StatisticsTruth, statistics_checks
from bench.usage_checks import (
    ALL_SERVICES,
    FIGURES,
    durations_check,
    mocks_usage,
    report_figures,
    summed_rows,
)
from bench.usage_plan import (
    SPECS,
    PlannedEvent,
    expected_usage,
    final_status,
    left_out,
    plan_events,
    submitted_steps,
)
from onceonly.domain.disclosure_control import published_count, published_share

SECRET = b"a secret of the test's own"
MONTH = "2026-12"


def birth(**instead: str) -> PlannedEvent:
    decisions = {
        step.id: instead.get(step.id, "grant" if step.legal_basis.kind == "consent" else "ack")
        for step in SPECS["birth"].steps
    }
    decisions = {k: "acknowledge" if v == "ack" else v for k, v in decisions.items()}
    return PlannedEvent(0, "birth", tuple(decisions.items()))


def test_the_same_seed_makes_the_same_plan_and_the_mix_is_near_its_shares():
    plan = plan_events(1000, seed=7)
    assert plan == plan_events(1000, seed=7) and plan != plan_events(1000, seed=8)
    kinds = Counter(event.event_type for event in plan)
    assert 440 < kinds["birth"] < 560 and 240 < kinds["move"] < 360 and 140 < kinds["death"] < 260
    decisions = Counter(d for event in plan for _, d in event.decisions)
    assert 0.04 < decisions["decline"] / (decisions["grant"] + decisions["decline"]) < 0.12
    withdrawn = [event for event in plan if event.withdraw]
    assert 10 < len(withdrawn) < 60
    corrected = [event for event in plan if event.correct]
    assert 5 < len(corrected) < 35
    assert all(e.event_type == "birth" and not e.withdraw for e in corrected)
    # Only a step that reached its agency, and rests on consent, is withdrawn.
    for event in withdrawn:
        assert event.withdraw in submitted_steps(event.spec, dict(event.decisions))
        assert event.decision(str(event.withdraw)) == "grant"


def test_steps_at_an_agency_with_no_api_are_declined_and_events_it_must_serve_left_out():
    assert left_out(["passports", "veterans"]) == {}
    plan = plan_events(200, seed=1, no_api=["passports", "veterans"])
    at_them = [
        event.decision(step.id)
        for event in plan
        for step in event.spec.steps
        if step.agency in ("passports", "veterans")
    ]
    assert at_them and set(at_them) == {"decline"}
    # The council registers a dog's move by law: with no API there, no move can run.
    assert left_out(["council"]) == {
        "move": "council_dog_registration is required by law at an agency with no API"
    }
    # The electoral roll is updated by law on a move and a death: only births can run.
    assert set(left_out(["electoral"])) == {"move", "death"}
    assert {event.event_type for event in plan_events(50, seed=1, no_api=["electoral"])} == {
        "birth"
    }
    with pytest.raises(ValueError, match="no_api: leaves no life event"):
        plan_events(5, seed=1, no_api=["bdm", "electoral"])


def test_a_declined_step_skips_what_needs_it_and_the_event_ends_partly_done():
    declined = birth(child_ird_number="decline")
    sent = submitted_steps(declined.spec, dict(declined.decisions))
    assert "child_ird_number" not in sent and "best_start" not in sent
    assert {"register_birth", "health_enrolment", "immunisation_register"} <= set(sent)
    assert final_status(declined) == "partially_completed"
    assert final_status(birth()) == "completed"
    withdrawn = PlannedEvent(1, "birth", birth().decisions, withdraw="best_start")
    assert final_status(withdrawn) == "partially_completed"


def test_the_plan_says_what_each_service_must_count():
    withdrawn = PlannedEvent(1, "birth", birth().decisions, withdraw="best_start")
    usage = expected_usage([birth(child_ird_number="decline"), withdrawn])
    assert usage["bdm", "birth-registration"]["requests"] == 2
    assert usage["ird", "newborn-ird-number"] == Counter(
        requests=1, completions=1, life_events=1, grant=1, decline=1
    )
    # Granted, then skipped when the step it needs was declined: a grant all the same.
    best_start = usage["msd", "best-start"]
    assert best_start["requests"] == 1 and best_start["grant"] == 2
    assert best_start["withdrawals"] == 1 and best_start["withdraw"] == 1
    assert "grant" not in usage["bdm", "birth-registration"]  # acknowledged, not chosen


def row(agency: str, service: str, **figures: int) -> dict[str, Any]:
    counts = dict.fromkeys(FIGURES, 0)
    return {"agency": agency, "service": service, "month": MONTH, **counts, **figures}


def held(*records: tuple[str, int], withdrawals: tuple[str, ...] = (), later: Any = ()) -> Any:
    return {
        "records": [{"idempotency_key": key, "status": status} for key, status in records],
        "withdrawals": [{"idempotency_key": f"{key}/w"} for key in withdrawals],
        "amendments": [],
        "later": list(later),
    }


def test_the_mocks_records_counted_per_service_with_decisions_made_later():
    holdings = {
        "ird": held(
            ("birth-a/child_ird_number", 202),
            ("birth-b/child_ird_number", 202),
            ("birth-old/child_ird_number", 201),
            later=[
                {
                    "idempotency_key": "birth-a/child_ird_number",
                    "state": "done",
                    "outcome": "delivered (200)",
                },
                {
                    "idempotency_key": "birth-b/child_ird_number",
                    "state": "pending",
                    "outcome": None,
                },
            ],
        ),
        "msd": held(("birth-a/best_start", 201), withdrawals=("birth-a/best_start",)),
        # A register's own records are keyed otherwise: not a submission of the run.
        "addresses": held(("address-1011-21A", 200)),
    }
    usage = mocks_usage(holdings, {"birth-a", "birth-b"})
    assert usage["ird", "newborn-ird-number"] == Counter(requests=2, completions=1, life_events=2)
    assert usage["msd", "best-start"] == Counter(
        requests=1, completions=1, life_events=1, withdrawals=1
    )
    assert set(usage) == {("ird", "newborn-ird-number"), ("msd", "best-start")}


def test_every_figure_agrees_or_is_named_with_the_source_that_differs():
    ours = summed_rows(
        [
            # One withdrawal sent; two corrections: one sent, one left to a person.
            row(
                "msd",
                "best-start",
                requests=2,
                accepted=2,
                completions=2,
                retries=1,
                withdrawals=1,
                corrections=2,
                manual_tasks=1,
                life_events=2,
            ),
            row(
                "acc",
                "client-address-update",
                requests=1,
                accepted=1,
                completions=1,
                withdrawals=1,
                manual_tasks=1,
                life_events=1,
            ),
        ]
    )
    mocks = {
        ("msd", "best-start"): Counter(
            requests=2, completions=2, life_events=2, withdrawals=1, corrections=1
        ),
        ("acc", "client-address-update"): Counter(requests=1, completions=1, life_events=1),
    }
    drill = {
        ("msd", "best-start"): Counter(
            requests=2,
            completions=2,
            life_events=2,
            withdrawals=1,
            corrections_sent=1,
            corrections_manual=1,
        ),
        ("acc", "client-address-update"): Counter(
            requests=1, completions=1, life_events=1, withdrawals=1
        ),
    }
    answers = {("msd", "201"): 2, ("msd", "503"): 1, ("acc", "201"): 1}
    figures = report_figures(ours, ours, mocks, drill, answers)
    assert all(figure.agrees for figure in figures), [f for f in figures if not f.agrees]
    by_name = {(f.agency, f.service, f.figure): f for f in figures}
    assert by_name["msd", ALL_SERVICES, "attempts"].mocks == 3
    assert by_name["acc", "client-address-update", "manual_tasks"].drill == 1
    assert by_name["msd", "best-start", "manual_tasks"].drill == 1
    assert by_name["msd", "best-start", "sent: withdrawals + corrections"].mocks == 2
    # An amendment the mocks never got, though the report says it was sent.
    lost = {key: Counter(tally) for key, tally in mocks.items()}
    lost["msd", "best-start"]["corrections"] = 0
    missed = [f.figure for f in report_figures(ours, ours, lost, drill, answers) if not f.agrees]
    assert missed == ["sent: withdrawals + corrections"]
    # One more 503 at MSD than retries in the report; the route one request short.
    short = {key: Counter(tally) for key, tally in ours.items()}
    short["msd", "best-start"]["requests"] -= 1
    answers[("msd", "503")] = 2
    wrong = [f for f in report_figures(ours, short, mocks, drill, answers) if not f.agrees]
    assert {(f.agency, f.service, f.figure) for f in wrong} == {
        ("msd", "best-start", "requests"),
        ("msd", ALL_SERVICES, "attempts"),
        ("msd", ALL_SERVICES, "retries"),
    }
    assert wrong[0].row()[-1] == "✗"


def test_times_to_acceptance_and_outcome_are_where_answers_are_and_in_order():
    answered = row("msd", "best-start", accepted=3, completions=3)
    times = {"acceptance_p50_seconds": 0.2, "acceptance_p95_seconds": 0.9}
    times |= {"outcome_p50_seconds": 0.2, "outcome_p95_seconds": 12.0}
    quiet = row("acc", "client-address-update")
    quiet |= dict.fromkeys(times)
    assert durations_check([answered | times, quiet], longest_seconds=60).passed
    assert not durations_check([answered | times], longest_seconds=10).passed
    backwards = times | {"outcome_p50_seconds": 13.0}
    assert not durations_check([answered | backwards], longest_seconds=60).passed
    assert not durations_check([answered | dict.fromkeys(times)], longest_seconds=60).passed


def released(truth: StatisticsTruth) -> dict[str, Any]:
    """What the release rules publish for these true counts (as onceonly/statistics.py)."""
    figures, services, agencies = [], [], []
    for (kind, month), started in truth.started.items():
        cell = f"{kind}/{month}"
        completed = truth.completed[kind, month]
        figures.append(
            {
                "event_type": kind,
                "month": month,
                "started": published_count(SECRET, f"{cell}/started", started),
                "completed": published_count(SECRET, f"{cell}/completed", completed),
                "median_days_to_completion": 0.0 if completed >= 20 else None,
            }
        )
    for (agency, service, month), counts in truth.decisions.items():
        name = f"{agency}/{service}/{month}"
        decided = published_count(SECRET, f"{name}/decisions", sum(counts.values()))
        share = {
            c: published_share(published_count(SECRET, f"{name}/{c}", counts[c]), decided)
            for c in ("grant", "decline", "withdraw")
        }
        services.append(
            {
                "agency": agency,
                "service": service,
                "month": month,
                "decisions": decided,
                "consented": share["grant"],
                "declined": share["decline"],
                "withdrawn": share["withdraw"],
            }
        )
    for (agency, month), outcomes in truth.outcomes.items():
        agencies.append(
            {
                "agency": agency,
                "month": month,
                "outcomes": published_count(SECRET, f"{agency}/{month}/outcomes", outcomes),
                "median_hours_to_outcome": 0.01 if outcomes >= 20 else None,
            }
        )
    return {"figures": figures, "services": services, "agencies": agencies}


def a_truth() -> StatisticsTruth:
    truth = StatisticsTruth()
    truth.started.update({("birth", MONTH): 500, ("move", MONTH): 4, ("death", MONTH): 17})
    truth.completed.update({("birth", MONTH): 331, ("death", MONTH): 5})
    truth.decisions["msd", "best-start", MONTH] = Counter(grant=400, decline=37, withdraw=11)
    truth.decisions["acc", "client-address-update", MONTH] = Counter(grant=8, decline=2)
    truth.outcomes.update({("bdm", MONTH): 517, ("acc", MONTH): 3, ("msd", MONTH): 19})
    return truth


def verdicts(published: dict[str, Any], truth: StatisticsTruth) -> dict[str, bool]:
    checks = statistics_checks(published, truth, longest_seconds=3600, secret=SECRET)
    return {check.what: check.passed for check in checks}


def test_a_release_by_the_rules_passes_every_check():
    truth = a_truth()
    assert all(verdicts(released(truth), truth).values())
    # Without the secret the same release passes the checks that need none.
    checks = statistics_checks(released(truth), truth, longest_seconds=3600)
    assert all(check.passed for check in checks) and len(checks) == 7


def test_a_release_without_the_runs_month_fails():
    truth = a_truth()
    nothing: dict[str, list[Any]] = {"figures": [], "services": [], "agencies": []}
    assert not verdicts(nothing, truth)["the run's months are released (as if ended)"]


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        (lambda p: p["figures"][0].update(started=502), "every published count on the base-3"),
        (lambda p: p["figures"][2].update(started=3), "no published count below 6"),
        (lambda p: p["figures"][0].update(started=None), "suppressed exactly where the true"),
        (lambda p: p["agencies"][0].update(outcomes=522), "each count within 2 of the drill's"),
        (lambda p: p["agencies"][1].update(outcomes=6), "suppressed exactly where the true"),
        (lambda p: p["services"][0].update(consented=0.5), "shares: quotients of published"),
        (lambda p: p["services"][1].update(declined=0.2), "shares: quotients of published"),
        (lambda p: p["agencies"][2].update(median_hours_to_outcome=0.5), "medians only of 20"),
        (lambda p: p["figures"][0].update(median_days_to_completion=1.0), "medians only of 20"),
    ],
)
def test_each_break_of_the_rules_or_of_the_truth_fails_its_own_check(change, broken):
    truth = a_truth()
    published = released(truth)
    change(published)
    failed = [what for what, passed in verdicts(published, truth).items() if not passed]
    assert any(what.startswith(broken) for what in failed), failed


def test_a_count_rounded_the_other_way_passes_without_the_secret_but_not_with_it():
    truth = a_truth()
    published = released(truth)
    true = truth.started["death", MONTH]  # 17: published 15 or 18
    other = {15: 18, 18: 15}[published["figures"][2]["started"]]
    published["figures"][2]["started"] = other
    assert all(c.passed for c in statistics_checks(published, truth, longest_seconds=3600))
    assert abs(other - true) <= 2
    exact = "each count is the true count as the release rounds it (the stack's secret)"
    assert not verdicts(published, truth)[exact]
