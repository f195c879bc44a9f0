"""The portal's words about consent: checkpoints in plain words, several answered on one page,
why a step was skipped or does not apply and what the citizen can do, what the law keeps, and
live progress. text.py merges these tables into its English ones; translations use the same ids.
"""

CONSENT_EN: dict[str, str] = {
    # A checkpoint, one at a time
    "consent.question_of": "Question {number} of {total}",
    "consent.title": "Share your details with {agency}?",
    "consent.title.ack": "{agency}: required by law",
    "consent.receive": "What {agency} will receive",
    "consent.receive.none": "The details are being prepared.",
    "consent.raw": "Show it exactly as {agency}'s system receives it",
    "consent.why": "Why {agency} may receive it",
    "consent.if_no": "If you say no",
    "consent.needed_by": "Steps that need it",
    "consent.all_on_one_page": "Answer all {count} remaining questions on one page",
    "consent.answer_yes": "Yes, share with {agency}",
    "consent.answer_no": "No, do not share",
    "basis.plain.consent": "Only with your agreement. You can say no, and you can withdraw your "
    "consent later.",
    "basis.plain.statute": "The law requires this step, so it is not a choice. You are told "
    "what is sent, and you acknowledge it. The law: {reference}.",
    "basis.plain.information_sharing_agreement": "An approved information sharing agreement "
    "between agencies allows it: {reference}.",
    "decline.dependants": "{agency} gets nothing from this step, and these steps cannot happen "
    "either, because they need it: {steps}.",
    "decline.alone": "{agency} gets nothing from this step. No other step depends on it.",
    "ack.dependants": "These steps need it first: {steps}.",
    "value.yes": "Yes",
    "value.no": "No",
    "value.none": "Not given",
    "value.pending": "Not known yet: an earlier step gives it, once that is done",
    "value.known_as": "{name} (known as {known_as})",
    # Several checkpoints on one page
    "choices.title": "Your choices, agency by agency",
    "choices.intro": "Choose for each agency whether it gets your details. Steps the law "
    "requires are not a choice: tick to acknowledge them.",
    "choices.legend": "Share with {agency}?",
    "choices.legend.ack": "{agency}: required by law",
    "choices.grant": "Yes, share",
    "choices.decline": "No",
    "choices.acknowledge": "I understand that the law requires this",
    "choices.submit": "Send my answers",
    "choices.one_by_one": "Answer one question at a time instead",
    "choices.none": "Nothing is waiting for your answer.",
    "choices.preparing": "What each agency will receive is being prepared. Refresh in a moment.",
    "choices.required": "{agency}: choose yes or no",
    "choices.required.ack": "{agency}: tick to acknowledge this step, which the law requires",
    "choices.failed": "{agency}: your answer was not recorded. {detail}",
    "choices.failed.answered": "{agency}: your answer was not recorded, because this was "
    "answered already ({state}).",
    "choices.recorded": "Your answers were recorded for: {agencies}.",
    "choices.unasked": "Not asked, and why",
    "done.choices": "Your answers were recorded.",
    # Why a step was skipped or does not apply, and what to do
    "why.skipped.declined": "You declined “{step}”, so this step could not run.",
    "why.skipped.expired": "“{step}” was not answered in time, so this step could not run.",
    "why.skipped.failed": "“{step}” could not be sent, so this step could not run.",
    "why.skipped.withdrawn": "“{step}” was withdrawn before it was sent, so this step could "
    "not run.",
    "why.skipped.skipped": "“{step}” could not run, so neither could this step.",
    "why.skipped.other": "This step needs “{step}” first, which did not happen.",
    "todo.skipped": "To do this now, contact {agency} directly.",
    "why.na.present": "Does not apply: no {field} was given.",
    "why.na.absent": "Does not apply: {field} was given already.",
    "why.na.register_death": "Does not apply: the death is already registered (its "
    "registration number was given).",
    "why.na.end_tenancy": "Does not apply: you did not say they rented from Kāinga Ora.",
    "why.na.notify_maori_land_court": "Does not apply: you did not say they owned interests "
    "in Māori land.",
    "why.na.funeral_grant": "Does not apply: you did not apply for a funeral grant.",
    "why.na.council_dog_registration": "Does not apply: you did not name any dogs.",
    "todo.na": "If this should apply, contact {agency} directly.",
    "todo.na.stop_msd_payments": "If the person received a benefit or a pension, such as NZ "
    "Super, tell Work and Income on 0800 559 009, so that the payments stop and no debt "
    "builds up for the estate.",
    "todo.na.notify_ird": "If the person had an IRD number, tell Inland Revenue on 0800 227 774, "
    "so that their tax affairs are closed.",
    "todo.na.notify_veterans_affairs": "If the person served in the NZ Defence Force, tell "
    "Veterans' Affairs on 0800 483 8372.",
    # Progress
    "progress.number": "{number}. {step}",
    "progress.kept": "Kept by law: what you can do",
    "progress.announce": "{step}: {state}",
    "progress.announce.status": "The life event: {status}",
    # What the law keeps, instead of a withdrawal
    "withdraw.statutory.title": "{agency}: kept by law",
    "withdraw.statutory.explain": "The law required this step. You acknowledged it, which is not "
    "consent, so there is nothing to withdraw, and asking would not undo it.",
    "withdraw.statutory.do": "What you can do instead",
    "withdraw.statutory.todo": "If something in it is wrong, apply to {agency} to correct it.",
    "withdraw.statutory.todo.register_birth": "If a detail of the birth registration is wrong, "
    "apply to Births, Deaths and Marriages to correct the register (0800 22 52 52). You can "
    "still withdraw your consent to the other agencies' steps.",
    "withdraw.statutory.todo.register_death": "If a detail of the death registration is wrong, "
    "apply to Births, Deaths and Marriages to correct the register (0800 22 52 52).",
    "withdraw.statutory.todo.update_electoral_roll": "You can check or change your enrolment "
    "with the Electoral Commission at any time (0800 36 76 56).",
    "withdraw.statutory.todo.remove_from_electoral_roll": "If the wrong person was taken off "
    "the roll, contact the Electoral Commission (0800 36 76 56).",
    "withdraw.statutory.todo.council_dog_registration": "If your dogs' details are wrong, "
    "contact your council's animal services.",
    # Short names of steps, for "Step 2: Best Start payment" and "You declined ..."
    "step.register_birth": "Birth registration",
    "step.child_ird_number": "Your baby's IRD number",
    "step.best_start": "Best Start payment",
    "step.health_enrolment": "Health enrolment (doctor and Well Child)",
    "step.immunisation_register": "National Immunisation Register",
    "step.update_driver_licence": "Driver licence address",
    "step.update_electoral_roll": "Electoral enrolment",
    "step.update_ird_address": "Inland Revenue address",
    "step.update_msd_address": "Work and Income address",
    "step.update_health_address": "Health record address",
    "step.council_rates": "Council rates",
    "step.council_dog_registration": "Dog registration",
    "step.update_acc_address": "ACC address",
    "step.update_fines_address": "Fines and reparation address",
    "step.register_death": "Death registration",
    "step.notify_ird": "Inland Revenue",
    "step.stop_msd_payments": "Stopping benefit or pension payments",
    "step.funeral_grant": "Funeral grant",
    "step.cancel_driver_licence": "Driver licence cancellation",
    "step.cancel_passport": "Passport cancellation",
    "step.remove_from_electoral_roll": "Electoral roll",
    "step.notify_health": "Health records",
    "step.notify_veterans_affairs": "Veterans' Affairs",
    "step.notify_council": "Council rates",
    "step.end_tenancy": "Kāinga Ora tenancy",
    "step.notify_maori_land_court": "Māori land succession",
}

CONSENT_FIELDS: dict[str, str] = {
    # Death
    "deceased.name": "Their name",
    "deceased.date_of_birth": "Their date of birth",
    "deceased.date_of_death": "Date of death",
    "deceased.sex": "Their sex",
    "deceased.place_of_death": "Place of death",
    "deceased.last_address": "Where they lived",
    "deceased.death_registration_number": "Death registration number",
    "deceased.ird_number": "IRD number",
    "deceased.nhi_number": "Health number (NHI)",
    "deceased.msd_client_number": "Work and Income client number",
    "deceased.driver_licence": "Driver licence",
    "deceased.passport_number": "Passport number",
    "deceased.veteran_service_number": "NZ Defence Force service number",
    "deceased.kainga_ora_tenant": "Rented from Kāinga Ora",
    "deceased.maori_land_interests": "Owned interests in Māori land",
    "notifier.name": "Your name",
    "notifier.relationship": "Your relationship to them",
    "notifier.authority": "Why you may act for them",
    "notifier.phone": "Your phone number",
    "notifier.email": "Your email address",
    "notifier.postal_address": "Your postal address",
    "funeral_grant": "Funeral grant",
    # Move
    "mover.name": "Your name",
    "mover.date_of_birth": "Your date of birth",
    "mover.email": "Your email address",
    "mover.phone": "Your phone number",
    "mover.ird_number": "Your IRD number",
    "mover.nhi_number": "Your health number (NHI)",
    "mover.msd_client_number": "Your Work and Income client number",
    "mover.driver_licence": "Your driver licence",
    "previous_address": "The address you moved from",
    "new_address": "Your new address",
    "move_date": "The date you moved",
    "gp_practice": "Your new doctor's practice",
    "dogs": "Your dogs",
    "household": "Who lives with you",
    # Parts of a value, where a field holds several
    "number": "Number",
    "version": "Version",
    "funeral_director": "Funeral director",
    "funeral_cost": "Cost of the funeral",
    "paid_by_notifier": "You pay the funeral director",
    "breed": "Breed",
    "microchip": "Microchip",
    "name": "Name",
    "relationship": "Relationship",
    "date_of_birth": "Date of birth",
    "email": "Email",
}
