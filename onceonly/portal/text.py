"""Every word the citizen portal shows, in English, keyed by message id.

Other languages translate these tables in gettext catalogues (`onceonly/portal/catalogues.py`);
a message a language lacks, or whose English changed since it was translated, falls back to
English. `onceonly dev translations` lists what each language still lacks. Messages are
`str.format` templates: `{name}` takes a parameter, and a translation takes the same ones.
"""

from typing import get_args

from onceonly.domain.address_words import LevelType, UnitType
from onceonly.portal import text_disclosures, text_twins
from onceonly.portal.catalogues import ENGLISH, languages, translated
from onceonly.portal.text_consent import CONSENT_EN, CONSENT_FIELDS
from onceonly.portal.text_forms import FORM_WORDS, MORE_FIELD_WORDS
from onceonly.portal.text_inbox import EN as INBOX_EN
from onceonly.portal.text_parties import EN_PARTIES

EN: dict[str, str] = {
    # Frame
    "site.name": "Tell government once",
    "skip": "Skip to main content",
    "nav.home": "Your life events",
    "nav.account": "Account",
    "nav.signin": "Sign in",
    "nav.signout": "Sign out",
    "nav.signed_in_as": "Signed in as {subject}",
    "footer": "Synthetic demonstration service. Do not enter real people's details.",
    "refresh": "Refresh this page",
    "back.event": "Back to the life event",
    "cancel": "Cancel",
    # Sign in
    "signin.title": "Sign in",
    "signin.intro": "This demonstration lets you sign in as any made-up citizen. A real service "
    "would use RealMe or another identity provider.",
    "signin.citizen_id": "Citizen id",
    "signin.citizen_id.hint": "Any made-up id, such as demo-parent. Letters, numbers, dots, "
    "dashes, underscores and @ only, up to 100 characters.",
    "signin.button": "Sign in",
    "signin.unavailable": "Sign-in with a made-up id is turned off here. Sign in through your "
    "identity provider.",
    "signin.required": "Sign in to continue.",
    "rule.citizen_id": "must be 1 to 100 letters, numbers, dots, dashes, underscores or @",
    "signout.done": "You have signed out.",
    # Home and choosing an event
    "home.title": "Your life events",
    "home.intro": "Tell government about a birth, a move or a death once. You choose what each "
    "agency receives, and you can see and withdraw it later.",
    "home.none": "You have not started a life event yet.",
    "home.choose": "Start a life event",
    "home.event": "Life event",
    "home.started": "Started",
    "home.status": "Status",
    "home.accept_invitation": "Someone invited you to a life event? Accept the invitation",
    "event.what_asked": "What you will be asked, and why",
    "event.steps_intro": "Each agency below gets only the details listed for it, and only once "
    "you agree (or, where the law requires the step, once you acknowledge it).",
    "event.agency": "Agency",
    "event.purpose": "What they do with it",
    "event.legal_basis": "Legal basis",
    "event.fields": "What they receive",
    "event.deadline": "Deadline",
    "event.kept_by_law": "Kept by law",
    "event.prefill_offers": "Details we can fill in for you, if you agree",
    "basis.consent": "Your consent",
    "basis.statute": "Required by law",
    "basis.information_sharing_agreement": "An approved information sharing agreement",
    # Entering data
    "form.optional": "(optional)",
    "form.example": "Fill in with a made-up example",
    "form.errors": "There is a problem",
    "form.error.general": "The details could not be used: {detail}",
    # Inputs the question pages share (birth)
    "fs.other_parent.hint": "Leave blank if you are registering alone. If you name them, they "
    "are asked for their own consent to the birth registration.",
    "f.given_names": "Given names",
    "f.given_names.hint": "Put a comma between given names, as in Aroha, Mere. A name with a "
    "space in it, such as Te Rangi, stays as it is.",
    "f.family_name": "Family name",
    "f.known_as": "Name they prefer",
    "f.date_of_birth": "Date of birth",
    "f.sex": "Sex",
    "f.sex.female": "Female",
    "f.sex.male": "Male",
    "f.sex.indeterminate": "Indeterminate",
    "f.place_of_birth": "Place of birth",
    "f.place_of_birth.hint": "Hospital, birthing unit or home town.",
    "f.ird_number": "IRD number",
    "f.ird_number.hint": "8 or 9 digits, such as 049-091-850.",
    "f.email": "Email address",
    "f.phone": "Phone number",
    "f.building_name": "Building name",
    "f.unit_type": "Type of unit",
    **{f"f.unit_type.{kind}": kind for kind in get_args(UnitType)},
    "f.unit": "Unit or flat number",
    "f.level_type": "Level or floor",
    **{f"f.level_type.{kind}": kind for kind in get_args(LevelType)},
    "f.level_number": "Level or floor number",
    "f.number": "Street number",
    "f.number_last": "Last street number of a range",
    "f.number_last.hint": "The 14 of 12-14 Victoria Street.",
    "f.street": "Street name",
    "f.street.hint": "With its type, such as Smith Street.",
    "f.suburb": "Suburb or locality",
    "f.rural_delivery": "Rural delivery number",
    "f.rural_delivery.hint": "The number n of RD n, for a rural address.",
    "f.city": "Town or city",
    "f.postcode": "Postcode",
    "f.gp_practice": "Doctor's practice (GP)",
    "f.well_child_provider": "Well Child Tamariki Ora provider",
    "f.well_child_provider.hint": "Such as Whānau Āwhina Plunket.",
    # Inputs the question pages share (death)
    "form.choose": "Choose one",
    "prefill.needs.death_registration_number": "Death registration number, if the funeral "
    "director gave you one",
    "fs.deceased_numbers": "Their numbers, if you know them",
    "fs.deceased_numbers.hint": "Each number you give lets one more agency be told. Leave out "
    "any you do not know.",
    "fs.postal_address": "Where agencies send you letters",
    "fs.postal_address.hint": "A street address, or a PO Box: give its number and leave the "
    "street blank.",
    "f.date_of_death": "Date of death",
    "f.place_of_death": "Place of death",
    "f.death_registration_number": "Death registration number",
    "f.death_registration_number.hint": "If the funeral director has registered the death.",
    "f.nhi_number": "Health number (NHI)",
    "f.msd_client_number": "Work and Income client number",
    "f.licence_number": "Driver licence number",
    "f.licence_version": "Driver licence version",
    "f.passport_number": "Passport number",
    "f.service_number": "NZ Defence Force service number",
    "f.kainga_ora_tenant": "They rented their home from Kāinga Ora",
    "f.maori_land_interests": "They owned interests in Māori land",
    "f.maori_land_interests.hint": "Shares in a Māori land block, for example. The Māori Land "
    "Court is then told, so that the whānau can apply to succeed to them.",
    "f.relationship": "Your relationship to them",
    "f.relationship.spouse_or_partner": "Spouse or partner",
    "f.relationship.child": "Child",
    "f.relationship.parent": "Parent",
    "f.relationship.sibling": "Brother or sister",
    "f.relationship.grandchild": "Grandchild",
    "f.relationship.other_relative": "Other relative",
    "f.relationship.friend": "Friend",
    "f.authority": "Why you may act for them",
    "f.authority.next_of_kin": "I am their next of kin",
    "f.authority.executor": "I am the executor of their will",
    "f.authority.administrator": "A court appointed me administrator",
    "f.box_number": "PO Box number",
    "f.lobby": "Post shop or lobby",
    "f.funeral_director": "Funeral director",
    "f.funeral_cost": "Cost of the funeral",
    "f.funeral_cost.hint": "In dollars, such as 8450.00.",
    "f.paid_by_notifier": "I pay the funeral director",
    # Checkpoints
    "checkpoint.preview": "Exactly what {agency} will receive",
    "checkpoint.preview.pending": "Some details come from earlier steps and are filled in when "
    "those steps are done: {fields}.",
    "checkpoint.preview.waiting": "The preview is being prepared. Refresh in a moment.",
    "checkpoint.preview.problem": "The agency would not accept this as it stands: {problem}",
    "checkpoint.kept_by_law": "Kept by law: {text}",
    "checkpoint.decided": "You have answered this step: {state}.",
    "checkpoint.waiting_parties": "You have answered. This step now waits for: {roles}.",
    "checkpoint.parties": "Also needs the consent of: {roles}.",
    "decision.acknowledge": "I understand, send it",
    "decision.legend": "Do you agree to send this to {agency}?",
    "decision.legend.ack": "The law requires this step. Acknowledge to continue.",
    # Progress
    "progress.title": "Progress",
    "progress.status": "Status: {status}",
    "progress.live": "This page updates itself while steps are under way.",
    "progress.step": "Step",
    "progress.state": "State",
    "progress.reference": "Reference",
    "progress.updated": "Updated",
    "progress.acknowledged": "Acknowledged",
    "progress.due": "Due",
    "progress.actions": "Actions",
    "progress.answer": "Answer",
    "progress.withdraw": "Withdraw consent",
    "progress.receipts": "Consent receipts",
    "progress.disclosures": "Who received what",
    "progress.invite": "Invite the other parent",
    "progress.prefilled": "From government records: {parts}",
    "done.withdrawn": "Your consent was withdrawn.",
    "done.decided": "Your answer was recorded.",
    "done.joined": "You joined the life event.",
    # Withdrawal
    "withdraw.title": "Withdraw your consent to {agency}",
    "withdraw.explain": "Nothing more will be sent. If the agency already has your details, "
    "it is asked to withdraw or delete them.",
    "withdraw.confirm": "Yes, withdraw my consent",
    # Receipts
    "receipts.title": "Consent receipts",
    "receipts.intro": "Each answer you gave is recorded in a signed receipt. Anyone can check the "
    "signature with the public key.",
    "receipts.none": "No receipts yet: they are issued when you answer a checkpoint.",
    "receipts.decision": "Answer",
    "receipts.decided_at": "When",
    "receipts.signature": "Signature",
    "receipts.valid": "Signature valid",
    "receipts.invalid": "Signature NOT valid",
    "receipts.download": "Download receipt",
    "receipts.how": "How to check a receipt yourself",
    "receipts.how.text": "A receipt is a compact JWS signed with Ed25519 (EdDSA). Take the key "
    "whose kid matches the receipt's header from the public key set, and verify the signature "
    "with any JOSE library.",
    "receipts.jwks": "Public key set (JWKS)",
    # Invitations
    "invite.title": "Invite the other parent",
    "invite.intro": "The other parent gives their own consent, signed in as themselves. We "
    "can send them the invitation, or you can pass it on yourself.",
    "invite.role": "Who to invite",
    "invite.none": "No one else needs to answer for this life event.",
    "invite.code": "Invitation code",
    "invite.link": "Or send them this link",
    "accept.title": "Accept an invitation",
    "accept.code": "Invitation code",
    "accept.code.hint": "The code you were given, or open the link you were sent.",
    "accept.button": "Accept and join",
    "rule.invitation": "must be the code you were given",
    # Errors
    "error.not_found.title": "Page not found",
    "error.not_found": "There is no such life event, or it is not yours to see.",
    "error.forbidden": "Only the person who started the life event can do that.",
    "error.csrf": "This form expired. Go back, refresh the page and try again.",
    "error.conflict": "That could not be done: {detail}",
    "error.unavailable": "The service cannot answer right now. Try again shortly.",
    "error.title": "Something went wrong",
    "error.language": "The portal is not written in that language.",
    # The language switch
    "language.switch": "Language",
    # Open statistics
    "footer.statistics": "Statistics about this service",
    "statistics.title": "How many people use this service",
    "statistics.intro": "Life events started and completed each month, and how long they took. "
    "No figure can tell anyone about a single person.",
    "statistics.since": "From",
    "statistics.until": "To",
    "statistics.show": "Show these months",
    "statistics.started": "Started",
    "statistics.completed": "Completed",
    "statistics.median": "Typical time to complete",
    "statistics.days": "{days} days",
    "statistics.few": "Fewer than 6",
    "statistics.too_few": "Too few to say",
    "statistics.none": "There are no figures for these months yet. A month is shown once it "
    "has ended.",
    "statistics.how": "How these figures protect people",
    "statistics.how.text": "We follow the rules Stats NZ uses for integrated data. Counts "
    "under 6 are not shown. Every other count is rounded at random to a multiple of 3, the "
    "same way each time. The typical time is the middle one of at least 20 life events. Only "
    "whole months that have ended are shown.",
    "statistics.data": "The same figures as data (JSON)",
}
EN.update(EN_PARTIES)  # two parties, changing details and cancelling

EN |= FORM_WORDS  # the question pages' words (text_forms)
EN |= INBOX_EN  # the agencies' staff inbox (text_inbox)

STATE_WORDS: dict[str, str] = {
    "awaiting_consent": "Waiting for an answer",
    "not_applicable": "Does not apply",
    "granted": "Agreed, waiting to send",
    "declined": "Declined: nothing sent",
    "expired": "Not answered in time",
    "skipped": "Skipped",
    "submitting": "Sending",
    "submitted": "Sent, waiting for the agency",
    "completed": "Done",
    "failed": "Could not be sent",
    "withdrawn": "Withdrawn",
    "in_progress": "Under way",
    "partially_completed": "Partly done",
    "cancelled": "Cancelled",
    "grant": "Agreed",
    "decline": "Declined",
    "acknowledge": "Acknowledged",
    "withdraw": "Withdrawn",
    "expire": "Expired",
}

FIELD_WORDS: dict[str, str] = {
    "child.name": "Your baby's name",
    "child.date_of_birth": "Your baby's date of birth",
    "child.sex": "Your baby's sex",
    "child.place_of_birth": "Where your baby was born",
    "child.birth_registration_number": "Your baby's birth registration number",
    "child.ird_number": "Your baby's IRD number",
    "child.nhi_number": "Your baby's health number (NHI)",
    "birth_parent.name": "Your name",
    "birth_parent.date_of_birth": "Your date of birth",
    "birth_parent.ird_number": "Your IRD number",
    "birth_parent.phone": "Your phone number",
    "birth_parent.email": "Your email address",
    "other_parent.name": "The other parent's name",
    "other_parent.date_of_birth": "The other parent's date of birth",
    "address": "Your address",
    "health.gp_practice": "Your choice of doctor",
    "health.well_child_provider": "Your choice of Well Child provider",
}

FIELD_WORDS |= MORE_FIELD_WORDS  # a move's and a death's (text_forms)
# Consent's words live in text_consent.py; a label given here for the same field wins.
EN.update(CONSENT_EN)
FIELD_WORDS.update(
    {path: words for path, words in CONSENT_FIELDS.items() if path not in FIELD_WORDS}
)
EN |= text_twins.EN
EN |= text_disclosures.EN  # the disclosure log's page, staff views included
FIELD_WORDS |= text_twins.FIELD_WORDS


LANGUAGES = languages()
"""English and every language the portal has a catalogue for."""
STATE_PREFIX = "state:"
FIELD_PREFIX = "field:"
"""The message ids of state and field words in catalogues (their tables' keys could clash)."""


def english_messages() -> dict[str, str]:
    """Every English message a catalogue translates, by the id it has there."""
    return {
        **EN,
        **{STATE_PREFIX + state: words for state, words in STATE_WORDS.items()},
        **{FIELD_PREFIX + path: words for path, words in FIELD_WORDS.items()},
    }


def _in(lang: str, message_id: str, english: str) -> str:
    if lang == ENGLISH:
        return english
    return translated(lang, message_id, english) or english


def text(message_id: str, lang: str = ENGLISH, **params: object) -> str:
    """The message in `lang` (English where that language lacks it), with `params` filled in.

    An unknown id raises KeyError: a missing string is a bug to catch in tests, not to show.
    """
    template = _in(lang, message_id, EN[message_id])
    return template.format(**params) if params else template


def humanise(identifier: str) -> str:
    """Plain words for an id nobody wrote words for yet: `date_of_death` -> `Date of death`."""
    words = identifier.replace(".", ": ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def state_words(state: str, lang: str = ENGLISH) -> str:
    """A step's or an event's state in plain words; states added later read as their id."""
    english = STATE_WORDS.get(state)
    return _in(lang, STATE_PREFIX + state, english) if english else humanise(state)


def field_words(path: str, lang: str = ENGLISH) -> str:
    """A disclosed field (dotted path) in plain words."""
    english = FIELD_WORDS.get(path)
    return _in(lang, FIELD_PREFIX + path, english) if english else humanise(path)
