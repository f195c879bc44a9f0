"""The activity that sends a reminder about unanswered checkpoints through the notification
service."""

from collections.abc import Mapping

import httpx
import structlog
from temporalio import activity

from adapters.notify import AGENCY, NotifyAdapter
from onceonly.domain import notices as contract
from onceonly.domain.notices import Reminder

log = structlog.get_logger(__name__)


class Notifications(contract.Notifications):
    """The reminder activity, bound to the notification service's adapter."""

    def __init__(self, notify: NotifyAdapter) -> None:
        self._notify = notify

    @activity.defn(name=contract.SEND_REMINDER)
    async def send_reminder(self, reminder: Reminder) -> str:
        """Send the message; adapter errors decide whether Temporal retries (an outage is
        retried, a refusal is not). Answers with the service's message id."""
        info = activity.info()
        # Logs name the event, kind, channel and steps, never the address the message goes to.
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id,
            run_id=info.workflow_run_id,
            kind=reminder.kind,
            channel=reminder.channel,
            attempt=info.attempt,
        ):
            log.info("notify.send", steps=list(reminder.step_ids))
            message_id = await self._notify.send(reminder)
            log.info("notify.accepted", message_id=message_id)
            return message_id


def build_notifications(
    client: httpx.AsyncClient, base_url: str, api_keys: Mapping[str, str]
) -> Notifications:
    """The reminder activity over the notification service under `base_url`."""
    if AGENCY not in api_keys:
        raise ValueError(f"no API key for: {AGENCY}")
    return Notifications(NotifyAdapter(client, base_url, api_keys[AGENCY]))
