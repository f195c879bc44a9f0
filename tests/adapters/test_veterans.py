"""Veterans' Affairs: the notification of a veteran's death in its format and codes."""

import pytest

from adapters import veterans
from onceonly.domain.catalogue import DEATH
from tests.adapters.support import DEATH_REGISTRATION, PO_BOX_LINES, death_facts, death_with
from tests.mocks.samples import disclose, sample_death


def test_the_veterans_notification_is_veterans_affairs_format():
    disclosure = disclose("notify_veterans_affairs", sample_death(), DEATH, **death_facts())
    assert veterans.to_deceased_veteran(disclosure) == {
        "veteran": {
            "service_number": "A123456",
            "full_name": "Hōhepa Te Rangi Synthetic",
            "preferred_name": "Joe",
            "date_of_birth": "11.02.1941",
        },
        "death": {"date_of_death": "21.11.2026", "registration_number": DEATH_REGISTRATION},
        "next_of_kin": {
            "full_name": "Aroha Synthetic-Pōmare",
            "relationship": "CHILD",
            "phone": "+64275550100",
            "postal_address_lines": PO_BOX_LINES,
        },
    }


@pytest.mark.parametrize(
    ("relationship", "code"),
    [
        ("spouse_or_partner", "SPOUSE"),
        ("child", "CHILD"),
        ("parent", "PARENT"),
        ("sibling", "SIBLING"),
        ("grandchild", "OTHER"),
        ("other_relative", "OTHER"),
        ("friend", "OTHER"),
    ],
)
def test_veterans_affairs_relationship_codes(relationship, code):
    data = death_with(relationship=relationship)
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **death_facts())
    )
    assert notification["next_of_kin"]["relationship"] == code
