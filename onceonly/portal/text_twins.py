"""The words of the duplicate-birth question and the another-child page (twins and more),
merged into `text.EN` (and the field words into `text.FIELD_WORDS`)."""

EN: dict[str, str] = {
    # The question, asked when the API finds the birth open already (409)
    "twins.question.title": "You have already told us about a birth on this day",
    "twins.question.intro": "You started telling us about a baby born on the same day to the "
    "same birth parent. That life event is still open.",
    "twins.question.existing": "See the life event you started",
    "twins.question.legend": "Is this another baby from the same birth?",
    "twins.question.another": "Yes, another baby: twins, triplets or more",
    "twins.question.another.hint": "Each baby has a life event of their own. We will ask only "
    "for this baby's details and use the rest from the life event you started.",
    "twins.question.same": "No, it is the same baby",
    "twins.question.same.hint": "We will take you to the life event you started. You can "
    "correct details there.",
    "twins.question.required": "Select whether this is another baby from the same birth",
    "twins.continue": "Continue",
    "twins.errors": "There is a problem",
    # Another baby of the same birth
    "twins.another.title": "Tell us about your other baby",
    "twins.another.intro": "Enter this baby's details. Their date of birth, the parents' "
    "details, your address and your health choices come from the life event you started, so "
    "you do not enter them again.",
    "twins.another.from_first": "From the life event you started",
    "twins.another.date_of_birth": "Date of birth",
    "twins.another.birth_parent": "Birth parent",
    "twins.another.other_parent": "Other parent",
    "twins.another.address": "Address",
    "twins.another.gp_practice": "Doctor",
    "twins.another.well_child_provider": "Well Child provider",
    "twins.fs.child": "This baby",
    "twins.fs.multiple_birth": "The birth",
    "twins.f.given_names": "Given names",
    "twins.f.given_names.hint": "Put a comma between given names, as in Aroha, Mere.",
    "twins.f.family_name": "Family name",
    "twins.f.known_as": "Name they will be known by",
    "twins.f.sex": "Sex",
    "twins.f.sex.female": "Female",
    "twins.f.sex.male": "Male",
    "twins.f.sex.indeterminate": "Indeterminate",
    "twins.f.place_of_birth": "Place of birth",
    "twins.f.place_of_birth.hint": "Hospital, birthing unit or home town.",
    "twins.f.plurality": "How many babies were born",
    "twins.f.plurality.hint": "For twins, 2; for triplets, 3.",
    "twins.f.birth_order": "Which of them is this baby",
    "twins.f.birth_order.hint": "1 for the first born, 2 for the second, and so on.",
    "twins.fs.first_baby": "The baby you told us about first",
    "twins.f.sibling_birth_order": "Which of them is the baby you told us about first",
    "twins.f.sibling_birth_order.hint": "For twins you can leave this blank. We add it to "
    "that baby's life event, so both are registered as one birth.",
}

FIELD_WORDS: dict[str, str] = {
    "multiple_birth.plurality": "How many babies were born together",
    "multiple_birth.birth_order": "Which of them your baby is (birth order)",
}
