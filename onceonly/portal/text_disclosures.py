"""The words of the disclosure log's page: who received what, and who at an agency looked at
it in the agency's staff inbox. Merged into `text.EN`."""

EN: dict[str, str] = {
    "disclosures.title": "Who received what",
    "disclosures.intro": "Every agency that received details from this life event: what, when "
    "and why.",
    "disclosures.none": "Nothing has been sent to any agency yet.",
    "disclosures.when": "When",
    "disclosures.receipt": "Receipt",
    # Staff views (an agency that works through a staff inbox)
    "disclosures.views.title": "Who looked at your details",
    "disclosures.views.intro": "Some agencies work through your request by hand, in a staff "
    "inbox. Each time someone at the agency opens it, we write down who, when and which "
    "details they saw.",
    "disclosures.view": "Viewed by {who} at {agency} on {day} at {time}: {fields}",
    "disclosures.view.no_fields": "Viewed by {who} at {agency} on {day} at {time}",
}
