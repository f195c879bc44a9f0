"""The English words of the question pages (start, look-ups, questions, check your answers,
confirmation), by message id: merged into the English table of `text`, so that another
language gives the same ids. `plain_rule` says the data model's rules without field names.
"""

import re

FORM_WORDS: dict[str, str] = {
    # Start page
    "start.minutes": "It takes about {minutes} minutes. Your answers are kept as you go, so "
    "you can go back and change them before you send anything.",
    "start.needs": "What you will need",
    "start.needs.birth": "your baby's name, date and place of birth|your own name, date of "
    "birth and contact details|the other parent's name and date of birth, if you name them|"
    "your address|your choice of doctor and Well Child Tamariki Ora provider for the baby|"
    "your IRD number, if you have one",
    "start.needs.move": "your name, date of birth and contact details|the address you are "
    "moving from and your new address|the date of the move|the people and dogs moving with "
    "you|your IRD, health (NHI), Work and Income and driver licence numbers, if you have them",
    "start.needs.death": "the name, dates of birth and death, and last address of the person "
    "who died|their numbers, if you know them: IRD, health (NHI), Work and Income, driver "
    "licence, passport, NZ Defence Force|your own name, relationship to them and phone number|"
    "where agencies should send you letters|the funeral director and cost, to apply for a "
    "funeral grant|the death registration number, if the funeral director gave you one",
    "start.button": "Start now",
    "start.nothing_sent": "Nothing is sent to any agency until you have checked your answers "
    "and then agreed at each step.",
    "back": "Back",
    "continue": "Continue",
    "error.prefix": "Error:",
    # Looking up records
    "records.title": "Can we fill in some details from government records?",
    "records.intro": "Tick each record you agree to have looked up now. You can check and "
    "change everything afterwards. Leave them all unticked to type everything yourself.",
    "records.from": "From {agency}",
    "found.title": "Details we found",
    "found.intro": "These details are filled in for you. You can check and change each of them "
    "on the pages that follow.",
    "found.from": "From {agency}",
    "found.none": "The records you chose hold nothing for you. Type the details in instead.",
    "found.missing": "{agency} could not answer now. Type those details in instead.",
    "found.in": "Filled in from {agencies}. Check it, and change it if it is wrong.",
    # Dates and answers
    "date.day": "Day",
    "date.month": "Month",
    "date.year": "Year",
    "f.date.hint": "For example, 27 3 2007",
    "answer.yes": "Yes",
    "answer.no": "No",
    "answer.none": "Not given",
    "rule.required": "is required",
    "rule.needed": "is needed to look up this record: give it, or untick the record",
    "rule.choose": "must be chosen: select one answer",
    "rule.date_parts": "must include a day, a month and a year",
    "rule.real_date": "must be a real date, as in 27 3 2007",
    "rule.pattern": "is not written as this field takes it",
    "rule.email": "must be an email address mail can be sent to, as in name@example.nz",
    "rule.list_full": "can hold at most {most}: choose No to continue",
    # Birth
    "q.baby_name": "What is your baby's name?",
    "q.baby_birth": "When and where was your baby born?",
    "q.baby_sex": "What is your baby's sex?",
    "q.late_registration": "Registering the birth late",
    "q.late_registration.hint": "Your baby was born more than two months ago, after the "
    "deadline for registering a birth. Births, Deaths and Marriages still registers it, as a "
    "late registration.",
    "f.late_registration": "I am registering the birth late",
    "q.your_name": "What is your name?",
    "q.your_birth": "What is your date of birth?",
    "q.your_contact": "How can agencies contact you?",
    "q.your_contact.hint": "Agencies use these only to tell you about this life event.",
    "q.other_parent": "Are you naming the other parent?",
    "f.other_parent_named": "Naming the other parent",
    "q.other_parent_name": "What is the other parent's name?",
    "q.other_parent_birth": "What is the other parent's date of birth?",
    "q.address_found": "Is this the address?",
    "f.address_kept": "Whether this is the address",
    "q.address_found.yes": "Yes, this is the address",
    "q.address_found.no": "No: I will enter the address myself (every part of this one is cleared)",
    "q.address": "What is your address?",
    "q.address.hint": "Give each part in its own box. Leave out the parts the address does "
    "not have.",
    "q.health": "Your baby's doctor and Well Child provider",
    "sec.child": "The baby",
    "sec.birth_parent": "You, the birth parent",
    "sec.other_parent": "The other parent",
    "sec.address": "Your address",
    "sec.health": "Health",
    "row.address": "Your address",
    "row.birth_parent.ird_number": "Your IRD number",
    # Move
    "q.your_numbers": "Your numbers, if you have them",
    "q.your_numbers.hint": "Each number you give lets one more agency be told. Leave out any "
    "you do not have.",
    "f.nhi_number.hint": "3 letters and 4 characters, such as ZZZ0016.",
    "f.msd.hint": "9 digits.",
    "f.licence.hint": "2 letters and 6 digits, such as DL123456. Give the number and version "
    "together, or neither.",
    "f.version.hint": "The 3 digits printed on the card, such as 101.",
    "q.previous_address": "Which address are you moving from?",
    "q.new_address": "What is your new address?",
    "q.move_date": "When did you move, or when will you?",
    "f.move_date": "Date of the move",
    "f.move_date.hint": "Within a year of today. For example, 27 3 2026",
    "q.household": "Does anyone move with you?",
    "q.household_more": "Does anyone else move with you?",
    "q.household_member": "Someone moving with you",
    "f.move_relationship": "How they are related to you",
    **{
        f"f.move_relationship.{kind}": words
        for kind, words in {
            "partner": "Partner",
            "child": "Child",
            "parent": "Parent",
            "sibling": "Brother or sister",
            "flatmate": "Flatmate",
            "other": "Other",
        }.items()
    },
    "f.member_email.hint": "For someone 16 or older: they are asked for their own consent.",
    "q.doctor": "Are you changing doctor?",
    "q.doctor.hint": "Give the new practice's name, or leave it blank to keep your doctor.",
    "f.new_gp": "New doctor's practice (GP)",
    "q.dogs": "Do you have a dog that moves with you?",
    "q.dogs_more": "Do you have another dog that moves with you?",
    "q.dog": "Your dog",
    "f.dog_name": "Dog's name",
    "f.dog_breed": "Breed",
    "f.microchip": "Microchip number",
    "f.microchip.hint": "The 15 digits every registered dog's microchip carries.",
    "list.added": "Added so far",
    "list.remove": "Remove",
    "list.change": "Change",
    "list.item": "Number {number}",
    "sec.mover": "You",
    "sec.addresses": "Addresses and date",
    "sec.household": "People moving with you",
    "sec.dogs": "Dogs",
    "row.previous_address": "The address you are moving from",
    "row.new_address": "Your new address",
    "row.household": "People living with you",
    "row.list.household": "People moving with you",
    "row.list.dogs": "Dogs moving with you",
    "row.mover.ird_number": "Your IRD number",
    # Death
    "q.their_name": "What was the name of the person who died?",
    "q.their_dates": "When were they born, and when did they die?",
    "q.their_details": "Their sex, and where they died",
    "f.place_of_death.hint": "The hospital, hospice, home town or other place.",
    "q.their_address": "Where did they live?",
    "q.their_numbers": "Their numbers, if you know them",
    "f.passport.hint": "1 or 2 letters and 6 digits, such as LA123456.",
    "f.service_number.hint": "If they served: digits, with a letter in front for some services.",
    "q.their_licence": "Their driver licence and home",
    "q.your_relationship": "How are you related to them?",
    "q.postal_kind": "Where should agencies send you letters?",
    "f.postal_kind": "Where letters go",
    "f.postal_kind.street": "A street address",
    "f.postal_kind.PO Box": "A PO Box",
    "f.postal_kind.Private Bag": "A Private Bag",
    "f.postal_kind.Counter Delivery": "Counter delivery at a post shop",
    "q.postal_street": "What is your postal address?",
    "q.postal_box": "Your PO Box, Private Bag or counter delivery",
    "q.funeral_grant": "Do you want to apply for a funeral grant?",
    "q.funeral_grant.hint": "Work and Income may pay part of the funeral's cost.",
    "f.funeral_grant_wanted": "Applying for a funeral grant",
    "q.funeral_grant_details": "The funeral grant",
    "sec.deceased": "The person who died",
    "sec.deceased_numbers": "Their numbers",
    "sec.notifier": "You",
    "sec.funeral_grant": "Funeral grant",
    "row.deceased.last_address": "Where they lived",
    "row.notifier.postal_address": "Where agencies send you letters",
    "row.deceased.name": "Their name",
    "row.deceased.date_of_birth": "Their date of birth",
    "row.deceased.date_of_death": "Their date of death",
    "row.deceased.sex": "Their sex",
    "row.deceased.place_of_death": "Where they died",
    "row.deceased.death_registration_number": "Death registration number",
    # Check your answers, and the confirmation
    "check.title": "Check your answers before you send them",
    "check.change": "Change",
    "check.change_list": "Change the list",
    "check.from": "From {agency}",
    "check.send.title": "Now send your details",
    "check.send.text": "By sending them you confirm they are correct as far as you know. No "
    "agency receives anything until you choose, at each step, what it gets.",
    "check.send": "Send",
    "conf.title": "Your details have been received",
    "conf.reference": "Your reference",
    "conf.next": "What happens next",
    "conf.next.text": "For each agency below you now choose whether it receives the details "
    "listed for it. Where the law requires a step, you acknowledge it. You can follow each "
    "step on the progress page, and come back to it at any time.",
    "conf.continue": "Continue to your choices",
    "conf.progress": "See the progress of this life event",
}

MORE_FIELD_WORDS: dict[str, str] = {
    # What a move's and a death's steps receive, in words (merged into text.FIELD_WORDS).
    "mover.name": "Your name",
    "mover.date_of_birth": "Your date of birth",
    "mover.driver_licence": "Your driver licence number and version",
    "mover.email": "Your email address",
    "mover.phone": "Your phone number",
    "mover.ird_number": "Your IRD number",
    "mover.msd_client_number": "Your Work and Income client number",
    "mover.nhi_number": "Your health number (NHI)",
    "previous_address": "The address you are moving from",
    "new_address": "Your new address",
    "move_date": "The date of the move",
    "gp_practice": "Your new doctor's practice",
    "dogs": "Your dogs: their names, breeds and microchip numbers",
    "deceased.name": "Their name",
    "deceased.date_of_birth": "Their date of birth",
    "deceased.date_of_death": "Their date of death",
    "deceased.sex": "Their sex",
    "deceased.place_of_death": "Where they died",
    "deceased.last_address": "Where they lived",
    "deceased.ird_number": "Their IRD number",
    "deceased.death_registration_number": "The death registration number",
    "deceased.msd_client_number": "Their Work and Income client number",
    "deceased.driver_licence": "Their driver licence number and version",
    "deceased.passport_number": "Their passport number",
    "deceased.nhi_number": "Their health number (NHI)",
    "deceased.veteran_service_number": "Their NZ Defence Force service number",
    "notifier.name": "Your name",
    "notifier.relationship": "Your relationship to them",
    "notifier.authority": "Why you may act for them",
    "notifier.phone": "Your phone number",
    "notifier.postal_address": "Where agencies send you letters",
    "funeral_grant": "The funeral director, the funeral's cost and who pays it",
}

# Field names the data model's rules mention, in words.
_RULE_WORDS = {
    "set late_registration to true to register it late": "tick the box to register it late",
    "date_of_birth": "the date of birth",
    "date_of_death": "the date of death",
    "previous_address": "the address you are moving from",
    "late_registration": "late registration",
    "unit_type": "the type of unit",
    "level_type": "the level or floor",
    "level_number": "the level number",
    "number_last": "the last street number",
    "rural_delivery": "the rural delivery number",
    "box_number": "the PO Box number",
    "given_names": "the given names",
    "building_name": "the building name",
}


def plain_rule(rule: str, lang: str = "en", hint: str | None = None) -> str:
    """A rule of the data model, its field names said in words (`must not be before
    date_of_birth` -> `must not be before the date of birth`); a pattern is said as the
    input's hint says it, never as a regular expression."""
    if rule.startswith("String should match pattern"):
        said = FORM_WORDS["rule.pattern"]
        return f"{said}: {hint}" if hint else said
    words = rule
    for name, said in _RULE_WORDS.items():
        words = re.sub(rf"\b{re.escape(name)}\b", said, words)
    return words
