"""Mock of the government notification service (in the manner of GOV.UK Notify): sends an
email or a text message made from one of its templates.

Its traits: the key comes as `Authorization: ApiKey-v1 <key>`; a request names a channel
(`"email"` or `"sms"`), the address `to` (an email address, or a phone number as bare digits
with an optional leading +), a template by its id, and `personalisation`, the values for the
template's `((placeholders))` (a list is shown as bullet lines). The service holds the
templates, so the client never sends the text itself; it refuses a template of the other
channel, a placeholder left without a value or given one the template does not have, and a
text message longer than six SMS fragments. It answers 201 `{"id", "status": "accepted",
"content"}`, logs the rendered message (never its address) as a JSON line, and reports errors
as `{"status_code", "errors": [{"error", "message"}]}`.
"""

import logging
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from mocks.kit.agency import MockAgency, Problem
from mocks.kit.formats import matching
from mocks.kit.shapes import authorization_key
from mocks.kit.store import NextNumber

log = logging.getLogger("mocks.notify")

# Six concatenated SMS fragments of 153 characters: the longest text message the service sends.
MAX_SMS_LENGTH = 918
_PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")
# The dot-atom form of RFC 5322 every mail system accepts (the service's own copy of the rule).
_EMAIL = matching(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+",
    "an email address",
)
# E.164 allows 15 digits; the service dials what it is given, so no spaces or punctuation.
_PHONE = matching(r"\+?[0-9]{6,15}", "a phone number of 6 to 15 digits with an optional +")


@dataclass(frozen=True)
class Template:
    """One message the service sends: its channel, its subject (email only) and its body."""

    channel: Literal["email", "sms"]
    body: str
    subject: str | None = None

    @property
    def placeholders(self) -> frozenset[str]:
        """The names of the `((placeholders))` in the subject and body."""
        return frozenset(_PLACEHOLDER.findall(f"{self.subject or ''}\n{self.body}"))


_REMINDER = """Your answer is still needed for these requests in “((event))”:
((purposes))
((deadline))
Sign in to onceonly and open reference ((reference)) to answer each one. Nothing goes to an \
agency that needs your consent until you give it."""
_EXPIRED = """These requests in “((event))” were not answered in time, so onceonly sent nothing \
for them:
((purposes))
((deadline))
You can start “((event))” again in onceonly (this was reference ((reference))), or contact the \
agencies yourself."""
_INVITATION = """You are asked for your own consent to these requests in “((event))”, because they \
concern you:
((purposes))
((deadline))
Sign in to onceonly with your own account and open reference ((reference)) to grant or \
decline. Nothing is sent for these requests until you answer."""
_TASK_OVERDUE = """Task ((task)) in the onceonly inbox of ((agency)) is overdue by ((overdue)).
((asked)): ((service)).
Sign in to the onceonly inbox to complete it with your reference, or reject it with a reason."""

TEMPLATES = {
    "0b6c3f52-8a1e-4c57-9d0e-5f7a2b913c01": Template(
        "email", _REMINDER, "Your answer is needed: ((event))"
    ),
    "0b6c3f52-8a1e-4c57-9d0e-5f7a2b913c02": Template("sms", f"onceonly: {_REMINDER}"),
    "5d2e8f14-6b3a-4f09-a1c7-2e4d6b8f0a11": Template(
        "email", _EXPIRED, "Requests expired: ((event))"
    ),
    "5d2e8f14-6b3a-4f09-a1c7-2e4d6b8f0a12": Template("sms", f"onceonly: {_EXPIRED}"),
    "9a4b7c21-3e5f-4d68-b0a9-8c1d3e5f7b21": Template(
        "email", _INVITATION, "Your consent is asked: ((event))"
    ),
    "9a4b7c21-3e5f-4d68-b0a9-8c1d3e5f7b22": Template("sms", f"onceonly: {_INVITATION}"),
    "3e7a9c15-2b4d-4f86-8a0c-6d1e3f5b7a31": Template(
        "email", _TASK_OVERDUE, "Overdue in your inbox: ((task))"
    ),
}
"""The service's templates by id, as its administrators set them up."""

# A value is a text, or a list of texts shown as bullet lines; the limits keep messages sane.
_MAX_TEXT = 1000
_MAX_ITEMS = 20
_MAX_ITEM = 500
_VALUE_RULE = (
    f"text of up to {_MAX_TEXT} characters, or a list of 1 to {_MAX_ITEMS} texts of up to"
    f" {_MAX_ITEM}"
)


def _is_value(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= _MAX_TEXT
    return (
        isinstance(value, list)
        and 0 < len(value) <= _MAX_ITEMS
        and all(isinstance(item, str) and len(item) <= _MAX_ITEM for item in value)
    )


def render(text: str, personalisation: dict[str, str | list[str]]) -> str:
    """`text` with each `((placeholder))` replaced by its value, a list as bullet lines.

    One pass: a value that itself holds `((...))` is shown as it is, never expanded.
    """

    def shown(found: re.Match[str]) -> str:
        value = personalisation[found[1]]
        return value if isinstance(value, str) else "\n".join(f"* {item}" for item in value)

    return _PLACEHOLDER.sub(shown, text)


class MessageRequest(BaseModel):
    """A request to send one message made from a template."""

    model_config = ConfigDict(extra="forbid", strict=True)

    channel: Literal["email", "sms"]
    to: Annotated[str, StringConstraints(max_length=254)]
    template_id: str
    # Checked against the template below, so that no error echoes a key the caller made up.
    personalisation: dict[str, Any] = {}

    @field_validator("to")
    @classmethod
    def _address_for_channel(cls, to: str, info: ValidationInfo) -> str:
        channel = info.data.get("channel")
        if channel == "email":
            return _EMAIL(to)
        if channel == "sms":
            return _PHONE(to)
        return to

    @field_validator("template_id")
    @classmethod
    def _known_template(cls, template_id: str, info: ValidationInfo) -> str:
        template = TEMPLATES.get(template_id)
        if template is None:
            raise ValueError("must name one of the service's templates")
        channel = info.data.get("channel")
        if channel is not None and template.channel != channel:
            raise ValueError(f"must name a template for the {channel} channel")
        return template_id

    @field_validator("personalisation")
    @classmethod
    def _fills_the_template(
        cls, personalisation: dict[str, Any], info: ValidationInfo
    ) -> dict[str, Any]:
        template = TEMPLATES.get(info.data.get("template_id", ""))
        if template is None:
            return personalisation
        missing = sorted(template.placeholders - personalisation.keys())
        if missing:
            raise ValueError(f"must give a value for (({missing[0]}))")
        # The unknown key is the caller's own text: the rule is named, never the key.
        if personalisation.keys() - template.placeholders:
            raise ValueError("must give only the template's placeholders")
        for name in sorted(personalisation):
            if not _is_value(personalisation[name]):
                raise ValueError(f"must give (({name})) as {_VALUE_RULE}")
        if template.channel == "sms" and len(render(template.body, personalisation)) > (
            MAX_SMS_LENGTH
        ):
            raise ValueError(f"makes a text message longer than {MAX_SMS_LENGTH} characters")
        return personalisation


def send(message: MessageRequest, next_number: NextNumber) -> dict[str, Any]:
    """Accept the message: render it, log its content and answer with the message id."""
    template = TEMPLATES[message.template_id]
    content = {"body": render(template.body, message.personalisation)}
    if template.subject is not None:
        content["subject"] = render(template.subject, message.personalisation)
    message_id = f"NTF-{next_number('notify.message'):08d}"
    # The content, never the address: the templates hold no personal data, the address does.
    # Logged once, when the message is first accepted (a repeat is answered from the store).
    fields = {
        "message_id": message_id,
        "channel": message.channel,
        "template_id": message.template_id,
        **content,
    }
    log.info("notify.message", extra={"fields": fields})
    return {"id": message_id, "status": "accepted", "content": content}


# The service names each refusal with an error type, as GOV.UK Notify does.
_ERROR_TYPES = {
    400: "BadRequestError", 401: "AuthError", 404: "NotFoundError", 409: "ConflictError",
    422: "ValidationError", 503: "ServiceUnavailableError",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """The service's error shape: the status, then each problem's type and message."""
    error = _ERROR_TYPES.get(status, "Error")
    return {
        "status_code": status,
        "errors": [
            {"error": error, "message": f"{p.field} {p.message}" if p.field else p.message}
            for p in problems
        ],
    }


AGENCY = MockAgency(
    name="notify",
    path="/v1/messages",
    summary="Send an email or text message made from a template",
    request_model=MessageRequest,
    read_api_key=authorization_key("ApiKey-v1"),
    issue=send,
    error_body=error_body,
)
