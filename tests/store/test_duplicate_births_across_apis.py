"""A birth told twice at the same instant to two API replicas sharing one PostgreSQL store
(as a cluster runs them), on a real Temporal dev server: exactly one request starts an
event; every other is answered 409 naming it. And once that event has ended (here ended by
an operator: no worker runs), the birth may be told again, on either replica."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from onceonly.temporal import connect

REQUESTS_EACH = 3


async def test_of_one_birth_told_at_once_to_two_replicas_exactly_one_starts(replicas):
    settings, clients = replicas
    headers = {"Authorization": f"Bearer {mint_token(settings, 'parent-in-a-hurry')}"}
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    body = {"event_type": "birth", "data": birth_request_data(today)}
    answers = await asyncio.gather(
        *(
            client.post("/v1/life-events", json=body, headers=headers)
            for _ in range(REQUESTS_EACH)
            for client in clients
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (len(clients) * REQUESTS_EACH - 1), [a.text for a in answers]
    [started] = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert {a.json()["existing_event_id"] for a in answers if a.status_code == 409} == {started}

    temporal = await connect(settings)
    await temporal.get_workflow_handle(started).terminate(reason="ended by an operator")
    again = await clients[1].post("/v1/life-events", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != started
