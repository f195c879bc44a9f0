"""The ids of the workflow's built-in patches, oldest first: the contract between the code that
starts an event (which names the latest it has in the start input) and the workflow that runs
it. How the workflow takes them is in workflows/patches.py; the policy in CONTRIBUTING.md.
"""

# Receipts, previews, reminders, parties and withdrawal: events started before this patch
# replay without them.
CONSENT_V2 = "consent-receipts-reminders-parties-withdrawal"
# Each agency's own task queue, slow agencies' pending outcomes, proof of effect, and the
# receipts of decisions taken together signed in one local activity: events started before
# this patch replay without them.
AGENCY_LIFECYCLE = "agency-lifecycle"
# Every step's preview built in one local activity, and the search attributes upserted once
# for the changes made together (a batch of decisions) rather than once per step: fewer
# history events for the same event. Events started before this patch replay without it.
# Its marker implies the ones above (see workflows.patches.patches_taken).
BATCHED_BOOKKEEPING = "previews-together-one-upsert-per-batch"
# What an agency cannot do online (a correction, a withdrawal, a proof-of-effect check) made a
# task in its staff inbox, which the event waits for: events started before this patch leave
# it to an operator (`manual`), as they did. Asked only where such a path is taken, so an
# event whose starter did not name it records its marker only then.
STAFF_INBOX_TASKS = "staff-inbox-tasks"
# The built-in patches, oldest first. A starter names the latest it has in the event's start
# input (LifeEventStart.started_with_patch); see workflows.patches.started_with.
BUILT_IN_PATCHES = (CONSENT_V2, AGENCY_LIFECYCLE, BATCHED_BOOKKEEPING, STAFF_INBOX_TASKS)
LATEST_PATCH = BUILT_IN_PATCHES[-1]
