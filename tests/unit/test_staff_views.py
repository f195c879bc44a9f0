"""The citizen's disclosure page shows each time someone at an agency looked at their details
in its staff inbox, in a sentence of plain words, apart from the disclosures to agencies."""

from onceonly.portal.staff_views import disclosures_and_views, view_words

VIEW = {
    "viewed_by": "jane.smith",
    "agency_name": "Your local council",
    "disclosed_at": "2026-12-07T01:14:00Z",  # 2:14pm in Wellington (NZDT)
    "fields": ["mover.name", "new_address"],
}


def test_a_staff_view_reads_as_who_where_when_and_what():
    assert view_words(VIEW, "Pacific/Auckland", "en") == (
        "Viewed by jane.smith at Your local council on 7 December 2026 at 2:14pm: "
        "Your name, Your new address"
    )
    morning = {**VIEW, "disclosed_at": "2026-06-30T21:05:00+00:00", "fields": []}  # NZST
    assert view_words(morning, "Pacific/Auckland", "en") == (
        "Viewed by jane.smith at Your local council on 1 July 2026 at 9:05am"
    )
    assert "7 Tīhema 2026" in view_words(VIEW, "Pacific/Auckland", "mi")


def test_views_are_parted_from_disclosures_keeping_their_order():
    sent = {**VIEW, "viewed_by": None}
    older = {**VIEW, "viewed_by": "hemi"}
    assert disclosures_and_views([VIEW, sent, older]) == ([sent], [VIEW, older])
    assert disclosures_and_views([]) == ([], [])
