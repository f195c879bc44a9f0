"""The usage drill's judgement of the usage report, as pure functions of what it collected:
the report's figures (the CLI's and the operator route's) beside what the mock agencies hold
and what the drill itself did (the statistics: bench/release_checks.py).
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.checks import Check
from bench.usage_plan import SERVICE_OF, Service
from onceonly.usage_report import ServiceMonth

FIGURES = tuple(name for name, f in ServiceMonth.model_fields.items() if f.annotation is int)
"""The report's counts, summed over months for each (agency, service)."""
ALL_SERVICES = "(every service)"
"""The service column of a row about a whole agency (the mocks count answers per agency)."""


@dataclass(frozen=True)
class Figure:
    """One figure of the report: ours (the CLI's), the operator route's, the mocks' count of
    the same thing (None where they cannot see it) and the drill's own (None likewise)."""

    agency: str
    service: str
    figure: str
    ours: int
    api: int
    mocks: int | None
    drill: int | None

    @property
    def agrees(self) -> bool:
        """Every source that counts the same thing says the same number."""
        others = [n for n in (self.api, self.mocks, self.drill) if n is not None]
        return all(n == self.ours for n in others)

    def row(self) -> list[Any]:
        """The figure as a table row, ✓ or ✗ last."""
        shown = ["-" if n is None else n for n in (self.mocks, self.drill)]
        return [
            self.agency,
            self.service,
            self.figure,
            self.ours,
            self.api,
            *shown,
            "✓" if self.agrees else "✗",
        ]


FIGURE_COLUMNS = ("agency", "service", "figure", "ours", "api", "mocks", "drill", "")


def summed_rows(rows: Iterable[Mapping[str, Any]]) -> dict[Service, Counter[str]]:
    """The report's rows (as JSON) summed over months, per (agency, service)."""
    sums: dict[Service, Counter[str]] = {}
    for row in rows:
        tally = sums.setdefault((row["agency"], row["service"]), Counter())
        for figure in FIGURES:
            tally[figure] += int(row[figure])
    return sums


def _decided(later: Mapping[str, Any] | None, status: int) -> bool:
    """Whether a mock's record ended completed: by its later work when it promised some (a
    decision made or called back), else by its answer."""
    if later is None:
        return 200 <= status < 300
    outcome = str(later.get("outcome") or "")
    return later["state"] == "done" and outcome.startswith(("decided", "delivered", "known"))


def mocks_usage(
    holdings: Mapping[str, Mapping[str, Any]], event_ids: Collection[str]
) -> dict[Service, Counter[str]]:
    """What the mocks hold of these events, per (agency, service): `requests` (records),
    `completions`, `rejections` (records answered 4xx), `life_events`, `withdrawals` and
    `corrections` they took online. `holdings`: agency -> its `_records` answer."""
    usage: dict[Service, Counter[str]] = {}
    events: dict[Service, set[str]] = {}
    for agency, held in holdings.items():
        later = {row["idempotency_key"]: row for row in held.get("later", [])}
        for kind in ("records", "withdrawals", "amendments"):
            for record in held.get(kind, []):
                # A register's own records (seeded, not submitted) have keys of another form.
                event_id, _, rest = str(record["idempotency_key"]).partition("/")
                if event_id not in event_ids:
                    continue
                step_id = rest.split("/")[0]
                where = (agency, SERVICE_OF[agency, step_id])
                tally = usage.setdefault(where, Counter())
                if kind == "withdrawals":
                    tally["withdrawals"] += 1
                elif kind == "amendments":
                    tally["corrections"] += 1
                else:
                    status = int(record["status"])
                    tally["requests"] += 1
                    tally["rejections"] += status >= 400
                    tally["completions"] += _decided(later.get(record["idempotency_key"]), status)
                    events.setdefault(where, set()).add(event_id)
    for where, ids in events.items():
        usage[where]["life_events"] = len(ids)
    return usage


def report_figures(
    ours: Mapping[Service, Counter[str]],
    api: Mapping[Service, Counter[str]],
    mocks: Mapping[Service, Counter[str]],
    drill: Mapping[Service, Counter[str]],
    answers: Mapping[tuple[str, str], int],
) -> list[Figure]:
    """Every figure beside its counterparts. `drill`: the plan's counts (`expected_usage`)
    and the corrections' parts as the citizen saw them (`corrections_sent`,
    `corrections_manual`); `answers`: (agency, HTTP status) -> submissions the mocks answered
    so (their metrics), which count each attempt, retries included."""
    figures = []
    services = sorted({*ours, *mocks, *(k for k, t in drill.items() if t["requests"])})
    for where in services:
        o, a = ours.get(where, Counter()), api.get(where, Counter())
        m, d = mocks.get(where, Counter()), drill.get(where, Counter())
        held = {
            "requests": m["requests"],
            "accepted": m["requests"],
            "completions": m["completions"],
            "rejections": m["rejections"],
            "life_events": m["life_events"],
        }
        planned = {
            "requests": d["requests"],
            "accepted": d["requests"],
            "completions": d["completions"],
            "rejections": 0,
            "overdue_outcomes": 0,
            "corrections": d["corrections_sent"] + d["corrections_manual"],
            "withdrawals": d["withdrawals"],
            # What the agency takes only from a person (it holds none of it) is a manual task.
            "manual_tasks": d["withdrawals"] - m["withdrawals"] + d["corrections_manual"],
            "life_events": d["life_events"],
        }
        for name in FIGURES:
            figures.append(
                Figure(*where, name, o[name], a[name], held.get(name), planned.get(name))
            )
        figures.append(
            Figure(
                *where,
                "sent: withdrawals + corrections",
                o["withdrawals"] + o["corrections"] - o["manual_tasks"],
                a["withdrawals"] + a["corrections"] - a["manual_tasks"],
                m["withdrawals"] + m["corrections"],
                None,
            )
        )
    for agency in sorted({agency for agency, _ in services}):
        mine = [(o, api.get(k, Counter())) for k, o in ours.items() if k[0] == agency]
        attempts = sum(o["requests"] + o["retries"] for o, _ in mine)
        api_attempts = sum(a["requests"] + a["retries"] for _, a in mine)
        answered = sum(n for (who, _), n in answers.items() if who == agency)
        figures.append(
            Figure(agency, ALL_SERVICES, "attempts", attempts, api_attempts, answered, None)
        )
        retries = sum(o["retries"] for o, _ in mine)
        api_retries = sum(a["retries"] for _, a in mine)
        refused = answers.get((agency, "503"), 0)
        figures.append(Figure(agency, ALL_SERVICES, "retries", retries, api_retries, refused, None))
    return figures


def durations_check(rows: Iterable[Mapping[str, Any]], longest_seconds: float) -> Check:
    """Times to acceptance and to outcome: given for every row with acceptances (outcomes),
    p50 no later than p95, none longer than the run."""
    problems, shown = [], 0
    for row in rows:
        for what, count in (("acceptance", "accepted"), ("outcome", "completions")):
            p50, p95 = row[f"{what}_p50_seconds"], row[f"{what}_p95_seconds"]
            name = f"{row['agency']}/{row['service']}/{row['month']} {what}"
            if (p50 is None or p95 is None) != (row[count] + row["rejections"] == 0):
                problems.append(f"{name}: p50 {p50}, p95 {p95} for {row[count]}")
            elif p50 is not None and p95 is not None:
                shown += 1
                if not 0 <= p50 <= p95 <= longest_seconds:
                    problems.append(f"{name}: p50 {p50}, p95 {p95}")
    return Check(
        "times to acceptance and outcome: p50 <= p95 <= the run, wherever there are answers",
        not problems,
        f"{shown} pairs" + (f"; e.g. {problems[0]}" if problems else ""),
    )
