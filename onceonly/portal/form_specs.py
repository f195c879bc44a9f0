"""The portal's data-entry forms, as data: which inputs each life event's form has, in which
groups, with which words (text ids). `forms` turns them into the API's data and back.
"""

from typing import get_args

from onceonly.domain.address_words import LevelType, UnitType
from onceonly.portal.forms import Field, Fieldset

UNIT_TYPES: tuple[str, ...] = get_args(UnitType)
LEVELS: tuple[str, ...] = get_args(LevelType)


def _person(
    prefix: str, *, contact: bool, known_as: bool = True, born: bool = True
) -> tuple[Field, ...]:
    name = (
        Field(f"{prefix}.name.given_names", "f.given_names", "names", hint="f.given_names.hint"),
        Field(f"{prefix}.name.family_name", "f.family_name"),
    )
    preferred = (Field(f"{prefix}.name.known_as", "f.known_as", required=False),)
    birth = (Field(f"{prefix}.date_of_birth", "f.date_of_birth", "date"),)
    reach = (
        Field(f"{prefix}.ird_number", "f.ird_number", required=False, hint="f.ird_number.hint"),
        Field(f"{prefix}.email", "f.email", "email", required=False, autocomplete="email"),
        Field(f"{prefix}.phone", "f.phone", "tel", required=False, autocomplete="tel"),
    )
    return (
        name
        + (preferred if known_as else ())
        + (birth if born else ())
        + (reach if contact else ())
    )


def _address(prefix: str, *, post_box: bool = False) -> tuple[Field, ...]:
    """A street address; with `post_box`, a PO Box instead when its number is given."""
    box = (
        Field(f"{prefix}.box_number", "f.box_number", required=False, hint="f.box_number.hint"),
        Field(f"{prefix}.lobby", "f.lobby", required=False),
    )
    street = (
        Field(f"{prefix}.unit_type", "f.unit_type", "select", required=False, choices=UNIT_TYPES),
        Field(f"{prefix}.unit", "f.unit", required=False),
        Field(f"{prefix}.level_type", "f.level_type", "select", required=False, choices=LEVELS),
        Field(f"{prefix}.level_number", "f.level_number", required=False),
        Field(f"{prefix}.building_name", "f.building_name", required=False),
        Field(f"{prefix}.number", "f.number", required=not post_box),
        Field(f"{prefix}.number_last", "f.number_last", required=False, hint="f.number_last.hint"),
        Field(f"{prefix}.street", "f.street", required=not post_box, hint="f.street.hint"),
        Field(f"{prefix}.suburb", "f.suburb", required=False),
        Field(
            f"{prefix}.rural_delivery",
            "f.rural_delivery",
            "number",
            required=False,
            hint="f.rural_delivery.hint",
        ),
    )
    town = (Field(f"{prefix}.city", "f.city"), Field(f"{prefix}.postcode", "f.postcode"))
    return (box if post_box else ()) + street + town


BIRTH_FORM: tuple[Fieldset, ...] = (
    Fieldset(
        "fs.child",
        (
            *_person("child", contact=False, known_as=False),
            Field("child.sex", "f.sex", "choice", choices=("female", "male", "indeterminate")),
            Field("child.place_of_birth", "f.place_of_birth", hint="f.place_of_birth.hint"),
        ),
    ),
    Fieldset("fs.birth_parent", _person("birth_parent", contact=True)),
    Fieldset(
        "fs.other_parent",
        _person("other_parent", contact=False, known_as=False),
        optional=True,
        hint="fs.other_parent.hint",
    ),
    Fieldset("fs.address", _address("address")),
    Fieldset(
        "fs.health",
        (
            Field("health.gp_practice", "f.gp_practice"),
            Field(
                "health.well_child_provider",
                "f.well_child_provider",
                hint="f.well_child_provider.hint",
            ),
        ),
    ),
)


RELATIONSHIPS = (
    "spouse_or_partner",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "other_relative",
    "friend",
)
DEATH_FORM: tuple[Fieldset, ...] = (
    Fieldset(
        "fs.deceased",
        (
            *_person("deceased", contact=False),
            Field("deceased.date_of_death", "f.date_of_death", "date"),
            Field("deceased.sex", "f.sex", "choice", choices=("female", "male", "indeterminate")),
            Field("deceased.place_of_death", "f.place_of_death"),
        ),
    ),
    Fieldset("fs.last_address", _address("deceased.last_address")),
    Fieldset(
        "fs.deceased_numbers",
        (
            Field(
                "deceased.death_registration_number",
                "f.death_registration_number",
                required=False,
                hint="f.death_registration_number.hint",
            ),
            Field("deceased.ird_number", "f.ird_number", required=False),
            Field("deceased.nhi_number", "f.nhi_number", required=False),
            Field("deceased.msd_client_number", "f.msd_client_number", required=False),
            Field("deceased.driver_licence.number", "f.licence_number", required=False),
            Field("deceased.driver_licence.version", "f.licence_version", required=False),
            Field("deceased.passport_number", "f.passport_number", required=False),
            Field("deceased.veteran_service_number", "f.service_number", required=False),
            Field("deceased.kainga_ora_tenant", "f.kainga_ora_tenant", "checkbox", False),
        ),
        hint="fs.deceased_numbers.hint",
    ),
    Fieldset(
        "fs.notifier",
        (
            *_person("notifier", contact=False, known_as=False, born=False),
            Field("notifier.relationship", "f.relationship", "select", choices=RELATIONSHIPS),
            Field(
                "notifier.authority",
                "f.authority",
                "choice",
                choices=("next_of_kin", "executor", "administrator"),
            ),
            Field("notifier.phone", "f.phone", "tel", autocomplete="tel"),
            Field("notifier.email", "f.email", "email", required=False, autocomplete="email"),
        ),
    ),
    Fieldset(
        "fs.postal_address",
        _address("notifier.postal_address", post_box=True),
        hint="fs.postal_address.hint",
    ),
    Fieldset(
        "fs.funeral_grant",
        (
            Field("funeral_grant.funeral_director", "f.funeral_director"),
            Field("funeral_grant.funeral_cost", "f.funeral_cost", hint="f.funeral_cost.hint"),
            Field("funeral_grant.paid_by_notifier", "f.paid_by_notifier", "checkbox"),
        ),
        optional=True,
        hint="fs.funeral_grant.hint",
    ),
)

FORMS: dict[str, tuple[Fieldset, ...]] = {"birth": BIRTH_FORM, "death": DEATH_FORM}
"""The life events the portal has a form for; the others say so honestly."""
