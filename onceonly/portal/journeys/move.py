"""The move's question pages: the mover and their numbers, the addresses and the date, who
moves with them, a new doctor, and their dogs."""

from collections.abc import Callable
from typing import get_args

from onceonly.domain.move import HouseholdMember, MoveData
from onceonly.portal.journeys.questions import (
    Answers,
    Ask,
    Journey,
    ListPage,
    Question,
    address_asks,
    address_pages,
    name_asks,
)


def _person_words(prefix: str) -> Callable[[Answers, int], str]:
    def words(answers: Answers, n: int) -> str:
        given = answers.get(f"{prefix}.{n}.name.given_names", "")
        family = answers.get(f"{prefix}.{n}.name.family_name", "")
        return " ".join(part for part in (given.replace(",", ""), family) if part)

    return words


def _dog_words(answers: Answers, n: int) -> str:
    return answers.get(f"dogs.{n}.name", "")


RELATIONSHIPS_MOVE = get_args(HouseholdMember.model_fields["relationship"].annotation)
MOVE = Journey(
    "move",
    MoveData,
    (
        Question(
            "your-name", "q.your_name", "sec.mover", name_asks("mover.name"), group="mover.name"
        ),
        Question(
            "your-birth",
            "q.your_birth",
            "sec.mover",
            (Ask("mover.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),),
            group="mover",
        ),
        Question(
            "your-contact",
            "q.your_contact",
            "sec.mover",
            (
                Ask("mover.email", "f.email", "email", autocomplete="email"),
                Ask("mover.phone", "f.phone", "tel", autocomplete="tel"),
            ),
            hint="q.your_contact.hint",
            group="mover",
        ),
        Question(
            "your-numbers",
            "q.your_numbers",
            "sec.mover",
            (
                Ask("mover.ird_number", "f.ird_number", hint="f.ird_number.hint"),
                Ask("mover.nhi_number", "f.nhi_number", hint="f.nhi_number.hint"),
                Ask("mover.msd_client_number", "f.msd_client_number", hint="f.msd.hint"),
                Ask(
                    "mover.driver_licence.number",
                    "f.licence_number",
                    hint="f.licence.hint",
                    required=False,
                ),
                Ask(
                    "mover.driver_licence.version",
                    "f.licence_version",
                    hint="f.version.hint",
                    required=False,
                ),
            ),
            hint="q.your_numbers.hint",
            group="mover",
        ),
        *address_pages("previous_address", "q.previous_address", "sec.addresses"),
        Question(
            "new-address",
            "q.new_address",
            "sec.addresses",
            address_asks("new_address"),
            hint="q.address.hint",
            group="new_address",
            address=True,
        ),
        Question(
            "move-date",
            "q.move_date",
            "sec.addresses",
            (Ask("move_date", "f.move_date", "date", hint="f.move_date.hint"),),
        ),
        ListPage(
            "household",
            "household",
            "q.household",
            "q.household_more",
            "sec.household",
            "household-member",
            12,
            _person_words("household"),
        ),
        Question(
            "household-member",
            "q.household_member",
            "sec.household",
            (
                *name_asks("household.{n}.name", known_as=False),
                Ask("household.{n}.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),
                Ask(
                    "household.{n}.relationship",
                    "f.move_relationship",
                    "select",
                    choices=RELATIONSHIPS_MOVE,
                ),
                Ask("household.{n}.email", "f.email", "email", hint="f.member_email.hint"),
                Ask("household.{n}.nhi_number", "f.nhi_number", hint="f.nhi_number.hint"),
            ),
            group="household.{n}",
            item_of="household",
        ),
        Question(
            "doctor",
            "q.doctor",
            "sec.health",
            (Ask("gp_practice", "f.new_gp", hint="q.doctor.hint"),),
        ),
        ListPage("dogs", "dogs", "q.dogs", "q.dogs_more", "sec.dogs", "dog", 10, _dog_words),
        Question(
            "dog",
            "q.dog",
            "sec.dogs",
            (
                Ask("dogs.{n}.name", "f.dog_name"),
                Ask("dogs.{n}.breed", "f.dog_breed"),
                Ask("dogs.{n}.microchip", "f.microchip", hint="f.microchip.hint"),
            ),
            group="dogs.{n}",
            item_of="dogs",
        ),
    ),
    gates={},
    minutes=10,
)
