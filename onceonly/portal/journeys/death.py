"""The death's question pages: the person who died and their numbers, the person telling
government and where letters go, and a funeral grant if asked for."""

from typing import Any, get_args

from onceonly.domain.death import DeathData, Notifier
from onceonly.portal.journeys.questions import (
    SEXES,
    YES_NO,
    Answers,
    Ask,
    Journey,
    Question,
    address_asks,
    name_asks,
    said,
    unless,
)

RELATIONSHIPS_DEATH = get_args(Notifier.model_fields["relationship"].annotation)
AUTHORITIES = get_args(Notifier.model_fields["authority"].annotation)
POSTAL_KINDS = ("street", "PO Box", "Private Bag", "Counter Delivery")
_BOX = "notifier.postal_address"


def _postal_kind(answers: Answers, data: dict[str, Any]) -> None:
    """A PO Box, Private Bag or counter delivery says its kind; a street address has none."""
    kind = answers.get("_postal_kind")
    postal = data.get("notifier", {}).get("postal_address")
    if isinstance(postal, dict) and kind in POSTAL_KINDS[1:]:
        postal["kind"] = kind


DEATH = Journey(
    "death",
    DeathData,
    (
        Question(
            "their-name",
            "q.their_name",
            "sec.deceased",
            name_asks("deceased.name"),
            group="deceased.name",
        ),
        Question(
            "their-dates",
            "q.their_dates",
            "sec.deceased",
            (
                Ask("deceased.date_of_birth", "f.date_of_birth", "date", hint="f.date.hint"),
                Ask("deceased.date_of_death", "f.date_of_death", "date", hint="f.date.hint"),
            ),
            group="deceased",
        ),
        Question(
            "their-details",
            "q.their_details",
            "sec.deceased",
            (
                Ask("deceased.sex", "f.sex", "choice", choices=SEXES),
                Ask("deceased.place_of_death", "f.place_of_death", hint="f.place_of_death.hint"),
            ),
            group="deceased",
        ),
        Question(
            "their-address",
            "q.their_address",
            "sec.deceased",
            address_asks("deceased.last_address"),
            hint="q.address.hint",
            group="deceased.last_address",
            address=True,
        ),
        Question(
            "their-numbers",
            "q.their_numbers",
            "sec.deceased_numbers",
            (
                Ask(
                    "deceased.death_registration_number",
                    "f.death_registration_number",
                    hint="f.death_registration_number.hint",
                ),
                Ask("deceased.ird_number", "f.ird_number", hint="f.ird_number.hint"),
                Ask("deceased.nhi_number", "f.nhi_number", hint="f.nhi_number.hint"),
                Ask("deceased.msd_client_number", "f.msd_client_number", hint="f.msd.hint"),
                Ask("deceased.passport_number", "f.passport_number", hint="f.passport.hint"),
                Ask(
                    "deceased.veteran_service_number",
                    "f.service_number",
                    hint="f.service_number.hint",
                ),
            ),
            hint="fs.deceased_numbers.hint",
            group="deceased",
        ),
        Question(
            "their-licence-and-home",
            "q.their_licence",
            "sec.deceased_numbers",
            (
                Ask(
                    "deceased.driver_licence.number",
                    "f.licence_number",
                    hint="f.licence.hint",
                    required=False,
                ),
                Ask(
                    "deceased.driver_licence.version",
                    "f.licence_version",
                    hint="f.version.hint",
                    required=False,
                ),
                Ask("deceased.kainga_ora_tenant", "f.kainga_ora_tenant", "checkbox"),
                Ask(
                    "deceased.maori_land_interests",
                    "f.maori_land_interests",
                    "checkbox",
                    hint="f.maori_land_interests.hint",
                ),
            ),
            group="deceased",
        ),
        Question(
            "your-name",
            "q.your_name",
            "sec.notifier",
            name_asks("notifier.name", known_as=False),
            group="notifier.name",
        ),
        Question(
            "your-relationship",
            "q.your_relationship",
            "sec.notifier",
            (
                Ask(
                    "notifier.relationship", "f.relationship", "select", choices=RELATIONSHIPS_DEATH
                ),
                Ask("notifier.authority", "f.authority", "choice", choices=AUTHORITIES),
            ),
            group="notifier",
        ),
        Question(
            "your-contact",
            "q.your_contact",
            "sec.notifier",
            (
                Ask("notifier.phone", "f.phone", "tel", autocomplete="tel"),
                Ask("notifier.email", "f.email", "email", autocomplete="email"),
            ),
            group="notifier",
        ),
        Question(
            "your-letters",
            "q.postal_kind",
            "sec.notifier",
            (Ask("_postal_kind", "f.postal_kind", "choice", choices=POSTAL_KINDS, required=True),),
            hint="fs.postal_address.hint",
        ),
        Question(
            "your-street-address",
            "q.postal_street",
            "sec.notifier",
            address_asks(_BOX),
            shown=said("_postal_kind", "street"),
            group=_BOX,
            address=True,
        ),
        Question(
            "your-box",
            "q.postal_box",
            "sec.notifier",
            (
                Ask(
                    f"{_BOX}.box_number",
                    "f.box_number",
                    required=True,
                    shown=unless("_postal_kind", "Counter Delivery"),
                ),
                Ask(f"{_BOX}.lobby", "f.lobby"),
                Ask(f"{_BOX}.city", "f.city"),
                Ask(f"{_BOX}.postcode", "f.postcode", autocomplete="postal-code"),
            ),
            shown=lambda answers, _today: answers.get("_postal_kind") not in (None, "street"),
            group=_BOX,
        ),
        Question(
            "funeral-grant",
            "q.funeral_grant",
            "sec.funeral_grant",
            (
                Ask(
                    "_funeral_grant",
                    "f.funeral_grant_wanted",
                    "choice",
                    choices=YES_NO,
                    required=True,
                ),
            ),
            hint="q.funeral_grant.hint",
        ),
        Question(
            "funeral-grant-details",
            "q.funeral_grant_details",
            "sec.funeral_grant",
            (
                Ask("funeral_grant.funeral_director", "f.funeral_director"),
                Ask("funeral_grant.funeral_cost", "f.funeral_cost", hint="f.funeral_cost.hint"),
                Ask("funeral_grant.paid_by_notifier", "f.paid_by_notifier", "checkbox"),
            ),
            shown=said("_funeral_grant", "yes"),
            group="funeral_grant",
        ),
    ),
    gates={"funeral_grant": "_funeral_grant"},
    minutes=20,
    finish=_postal_kind,
)
