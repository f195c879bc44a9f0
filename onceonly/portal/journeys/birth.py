"""The birth's question pages: the baby, the birth parent, the other parent if named, where
they live, and the baby's health choices."""

from datetime import date, timedelta

from onceonly.domain.birth import BirthData, registration_deadline_days
from onceonly.portal.journeys.questions import (
    SEXES,
    YES_NO,
    Answers,
    Ask,
    Journey,
    Question,
    address_pages,
    name_asks,
    said,
)


def _born_late(answers: Answers, today: date) -> bool:
    """True when the baby was born longer ago than BDM's deadline for registering on time."""
    try:
        born = date.fromisoformat(answers.get("child.date_of_birth", ""))
    except ValueError:
        return False
    return today - born > timedelta(days=registration_deadline_days())


BIRTH = Journey(
    "birth",
    BirthData,
    (
        Question(
            "baby-name",
            "q.baby_name",
            "sec.child",
            name_asks("child.name", known_as=False),
            group="child.name",
        ),
        Question(
            "baby-birth",
            "q.baby_birth",
            "sec.child",
            (
                Ask("child.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),
                Ask("child.place_of_birth", "f.place_of_birth", hint="f.place_of_birth.hint"),
            ),
            group="child",
        ),
        Question(
            "baby-sex",
            "q.baby_sex",
            "sec.child",
            (Ask("child.sex", "f.sex", "choice", choices=SEXES),),
            group="child",
        ),
        Question(
            "late-registration",
            "q.late_registration",
            "sec.child",
            (Ask("child.late_registration", "f.late_registration", "checkbox", required=True),),
            hint="q.late_registration.hint",
            shown=_born_late,
            group="child",
        ),
        Question(
            "your-name",
            "q.your_name",
            "sec.birth_parent",
            name_asks("birth_parent.name"),
            group="birth_parent.name",
        ),
        Question(
            "your-birth",
            "q.your_birth",
            "sec.birth_parent",
            (Ask("birth_parent.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),),
            group="birth_parent",
        ),
        Question(
            "your-contact",
            "q.your_contact",
            "sec.birth_parent",
            (
                Ask("birth_parent.email", "f.email", "email", autocomplete="email"),
                Ask("birth_parent.phone", "f.phone", "tel", autocomplete="tel"),
                Ask("birth_parent.ird_number", "f.ird_number", hint="f.ird_number.hint"),
            ),
            hint="q.your_contact.hint",
            group="birth_parent",
        ),
        Question(
            "other-parent",
            "q.other_parent",
            "sec.other_parent",
            (
                Ask(
                    "_other_parent", "f.other_parent_named", "choice", choices=YES_NO, required=True
                ),
            ),
            hint="fs.other_parent.hint",
        ),
        Question(
            "other-parent-name",
            "q.other_parent_name",
            "sec.other_parent",
            name_asks("other_parent.name", known_as=False),
            shown=said("_other_parent", "yes"),
            group="other_parent.name",
        ),
        Question(
            "other-parent-birth",
            "q.other_parent_birth",
            "sec.other_parent",
            (Ask("other_parent.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),),
            shown=said("_other_parent", "yes"),
            group="other_parent",
        ),
        *address_pages("address", "q.address", "sec.address"),
        Question(
            "health",
            "q.health",
            "sec.health",
            (
                Ask("health.gp_practice", "f.gp_practice"),
                Ask(
                    "health.well_child_provider",
                    "f.well_child_provider",
                    hint="f.well_child_provider.hint",
                ),
            ),
            group="health",
        ),
    ),
    gates={"other_parent": "_other_parent"},
    minutes=10,
)
