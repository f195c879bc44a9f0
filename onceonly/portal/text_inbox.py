"""The words of the agencies' staff inbox (`routes_inbox`), merged into `text.EN`.

Staff read these, not citizens: "the citizen" where the citizen's pages say "you".
"""

EN: dict[str, str] = {
    # Frame
    "inbox.nav.signed_in_as": "Signed in as {subject} at {agency}",
    "inbox.nav.inbox": "Tasks",
    "inbox.nav.signout": "Sign out",
    # Sign in
    "inbox.signin.title": "Sign in to your agency's inbox",
    "inbox.signin.intro": "This demonstration lets staff sign in with any made-up name. A "
    "real agency would use its own staff sign-in.",
    "inbox.signin.name": "Your name",
    "inbox.signin.name.hint": "Such as jane.doe. Letters, numbers and . _ @ : + - only, up to "
    "128 characters. Citizens see it when you open their details.",
    "inbox.signin.agency": "Your agency",
    "inbox.signin.button": "Sign in",
    "inbox.signin.unavailable": "Staff sign-in with a made-up name is turned off here. Sign in "
    "through your agency.",
    "inbox.signin.required": "Sign in to see your agency's tasks.",
    "inbox.signout.done": "You have signed out of the inbox.",
    "inbox.rule.name": "must be 1 to 128 letters, numbers, or . _ @ : + -",
    "inbox.rule.agency": "Select your agency",
    # The list of tasks
    "inbox.title": "Tasks",
    "inbox.intro": "Each task is something a citizen asked your agency to do through Tell "
    "government once. Open a task to see the details, then complete it with your reference "
    "or reject it with a reason.",
    "inbox.filter": "Show tasks",
    "inbox.filter.all": "All",
    "inbox.filter.open": "Open",
    "inbox.filter.completed": "Completed",
    "inbox.filter.rejected": "Rejected",
    "inbox.open": "Open tasks",
    "inbox.closed": "Closed tasks",
    "inbox.none.open": "There are no open tasks.",
    "inbox.none.closed": "There are no closed tasks.",
    "inbox.task": "Task",
    "inbox.service": "Service",
    "inbox.due": "Due",
    "inbox.status": "Status",
    "inbox.overdue": "Overdue",
    "inbox.overdue.days": "Overdue by {days} days",
    "inbox.overdue.day": "Overdue by 1 day",
    "inbox.overdue.hours": "Overdue by less than a day",
    "inbox.state.open": "To do",
    "inbox.state.completed": "Completed",
    "inbox.state.rejected": "Rejected",
    "inbox.service_of": "{step} ({event})",
    "inbox.done.completed": "Task {task_id} is completed. The citizen's life event has been told.",
    "inbox.done.rejected": "Task {task_id} is rejected. The citizen is told your reason.",
    "inbox.done.completed_later": "Task {task_id} is completed. The citizen's life event "
    "will take it up within the hour.",
    "inbox.done.rejected_later": "Task {task_id} is rejected. The citizen's life event will "
    "take up your reason within the hour.",
    # What to do, by kind
    "inbox.kind.submission": "Record a new request",
    "inbox.kind.correction": "Correct a record",
    "inbox.kind.withdrawal": "Withdraw a record",
    "inbox.kind.effect_check": "Confirm a change has taken effect",
    "inbox.todo.submission": "Record this request in your agency's system, then complete the "
    "task with the reference your system gave it.",
    "inbox.todo.correction": "Change your agency's record to the corrected details below, then "
    "complete the task with the reference of the change.",
    "inbox.todo.withdrawal": "Withdraw or delete what your agency holds from this request, "
    "then complete the task with the reference of the withdrawal.",
    "inbox.todo.effect_check": "Check that the change your agency recorded is now in force, "
    "then complete the task with your reference for it.",
    "inbox.todo.reject": "If you cannot do it, reject the task and say why: the citizen reads "
    "your reason.",
    # One task
    "inbox.task.caption": "Task {task_id}",
    "inbox.task.logged": "Opening this task was recorded in the citizen's disclosure log: "
    "they can see that {subject} at {agency} viewed these details, and when.",
    "inbox.task.about": "About the task",
    "inbox.task.event": "Life event",
    "inbox.task.opened": "Opened",
    "inbox.task.legal_basis": "Legal basis",
    "inbox.task.receipt": "Consent receipt",
    "inbox.task.receipt.valid": "Consent receipt checked: signed by onceonly",
    "inbox.task.receipt.invalid": "Consent receipt NOT valid: {problem}",
    "inbox.task.receipt.none": "No consent receipt: the law allows this step without consent",
    "inbox.task.receipt.id": "Receipt {receipt_id}",
    "inbox.task.agency_reference": "Your reference for the record",
    "inbox.task.details": "Details sent",
    "inbox.task.details.corrected": "Corrected details",
    "inbox.task.details.intro": "What the citizen agreed to send your agency, labelled as the "
    'citizen read it: "your" means the citizen\'s.',
    "inbox.task.details.none": "No details are needed: use your reference for the record.",
    "inbox.basis.consent": "The citizen's consent",
    "inbox.basis.statute": "Required by law",
    "inbox.basis.information_sharing_agreement": "An approved information sharing agreement",
    "inbox.task.closed.completed": "Completed by {subject} on {when}, with reference {reference}.",
    "inbox.task.closed.rejected": "Rejected by {subject} on {when}. Reason: {reason}",
    "inbox.task.conflict": "Someone closed this task already. Nothing you entered was saved.",
    "inbox.complete.title": "Complete the task",
    "inbox.complete.reference": "Your reference",
    "inbox.complete.reference.hint": "The reference your agency's system gave this, such as a "
    "request or case number. The citizen sees it.",
    "inbox.complete.button": "Complete task",
    "inbox.reject.title": "Reject the task",
    "inbox.reject.reason": "Why you cannot do it",
    "inbox.reject.reason.hint": "The citizen reads this. Say what they can do next.",
    "inbox.reject.button": "Reject task",
    "inbox.back": "Back to the tasks",
    # Refusals
    "inbox.error.not_found": "There is no such task in your agency's inbox.",
    "inbox.error.forbidden": "Only staff of an agency can open its inbox. Sign in as staff.",
}
