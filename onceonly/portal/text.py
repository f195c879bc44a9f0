"""Every word the citizen portal shows, keyed by message id, one table per language.

English is complete; a te reo Māori table (`"mi"`) can be added beside it, and any message it
lacks falls back to English. Messages are `str.format` templates: `{name}` takes a parameter.
"""

from collections.abc import Mapping
from typing import get_args

from onceonly.domain.address_words import LevelType, UnitType
from onceonly.portal import text_twins

EN: dict[str, str] = {
    # Frame
    "site.name": "Tell government once",
    "skip": "Skip to main content",
    "nav.home": "Your life events",
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
    "event.start_form": "Enter your details",
    "event.no_form": "This portal does not have a form for this life event yet. Agencies and "
    "developers can start it through the citizen API (POST /v1/life-events).",
    "basis.consent": "Your consent",
    "basis.statute": "Required by law",
    "basis.information_sharing_agreement": "An approved information sharing agreement",
    # Entering data
    "form.title.birth": "Tell us about the birth",
    "form.once": "You enter these details once. Each agency gets only the parts listed for it.",
    "form.optional": "(optional)",
    "form.submit": "Continue to your choices",
    "form.example": "Fill in with a made-up example",
    "form.errors": "There is a problem",
    "form.error.general": "The details could not be used: {detail}",
    "prefill.title": "Fill in from government records",
    "prefill.intro": "Tick the records you agree to have looked up now. You can check and change "
    "everything before you continue.",
    "prefill.button": "Look up and fill in",
    "prefill.filled": "Filled in from government records: {parts}. Check them before you continue.",
    "prefill.unavailable": "Not found in records: {parts}. Please type these in.",
    "prefill.none_chosen": "Tick at least one record to look up.",
    # Birth form fieldsets and fields
    "fs.child": "The baby",
    "fs.birth_parent": "You, the birth parent",
    "fs.other_parent": "The other parent",
    "fs.other_parent.hint": "Leave blank if you are registering alone. If you name them, they "
    "are asked for their own consent to the birth registration.",
    "fs.address": "Your address",
    "fs.health": "Health choices for the baby",
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
    # Death form fieldsets and fields
    "form.title.death": "Tell us about the death",
    "form.choose": "Choose one",
    "prefill.needs.death_registration_number": "Death registration number, if the funeral "
    "director gave you one",
    "fs.deceased": "The person who died",
    "fs.last_address": "Where they lived",
    "fs.deceased_numbers": "Their numbers, if you know them",
    "fs.deceased_numbers.hint": "Each number you give lets one more agency be told. Leave out "
    "any you do not know.",
    "fs.notifier": "You, telling us",
    "fs.postal_address": "Where agencies send you letters",
    "fs.postal_address.hint": "A street address, or a PO Box: give its number and leave the "
    "street blank.",
    "fs.funeral_grant": "Funeral grant",
    "fs.funeral_grant.hint": "Fill this in to apply for a funeral grant from Work and Income.",
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
    "f.box_number.hint": "Only for a PO Box.",
    "f.lobby": "Post shop or lobby",
    "f.funeral_director": "Funeral director",
    "f.funeral_cost": "Cost of the funeral",
    "f.funeral_cost.hint": "In dollars, such as 8450.00.",
    "f.paid_by_notifier": "I pay the funeral director",
    # Checkpoints
    "checkpoint.title": "{agency}: your choice",
    "checkpoint.step_of": "Step {number} of {total}",
    "checkpoint.preview": "Exactly what {agency} will receive",
    "checkpoint.preview.pending": "Some details come from earlier steps and are filled in when "
    "those steps are done: {fields}.",
    "checkpoint.preview.waiting": "The preview is being prepared. Refresh in a moment.",
    "checkpoint.preview.problem": "The agency would not accept this as it stands: {problem}",
    "checkpoint.kept_by_law": "Kept by law: {text}",
    "checkpoint.decided": "You have answered this step: {state}.",
    "checkpoint.waiting_parties": "You have answered. This step now waits for: {roles}.",
    "checkpoint.parties": "Also needs the consent of: {roles}.",
    "decision.grant": "Yes, send it",
    "decision.decline": "No, do not send it",
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
    # Disclosures
    "disclosures.title": "Who received what",
    "disclosures.intro": "Every agency that received details from this life event: what, when "
    "and why.",
    "disclosures.none": "Nothing has been sent to any agency yet.",
    "disclosures.when": "When",
    "disclosures.receipt": "Receipt",
    # Invitations
    "invite.title": "Invite the other parent",
    "invite.intro": "The other parent gives their own consent, signed in as themselves. Give "
    "them this invitation privately.",
    "invite.role": "Who to invite",
    "invite.button": "Create invitation",
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
}

STATE_WORDS: dict[str, str] = {
    "awaiting_consent": "Waiting for your answer",
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

EN |= text_twins.EN
FIELD_WORDS |= text_twins.FIELD_WORDS

LANGUAGES: dict[str, Mapping[str, str]] = {"en": EN}
"""Each language's messages; a language's states and fields go in the two tables below."""
STATES: dict[str, Mapping[str, str]] = {"en": STATE_WORDS}
FIELDS: dict[str, Mapping[str, str]] = {"en": FIELD_WORDS}


def text(message_id: str, lang: str = "en", **params: object) -> str:
    """The message in `lang` (English where that language lacks it), with `params` filled in.

    An unknown id raises KeyError: a missing string is a bug to catch in tests, not to show.
    """
    table = LANGUAGES.get(lang, EN)
    template = table.get(message_id) or EN[message_id]
    return template.format(**params) if params else template


def humanise(identifier: str) -> str:
    """Plain words for an id nobody wrote words for yet: `date_of_death` -> `Date of death`."""
    words = identifier.replace(".", ": ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def state_words(state: str, lang: str = "en") -> str:
    """A step's or an event's state in plain words; states added later read as their id."""
    return STATES.get(lang, {}).get(state) or STATE_WORDS.get(state) or humanise(state)


def field_words(path: str, lang: str = "en") -> str:
    """A disclosed field (dotted path) in plain words."""
    return FIELDS.get(lang, {}).get(path) or FIELD_WORDS.get(path) or humanise(path)
