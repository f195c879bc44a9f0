"""The agencies' staff inbox, in the portal: staff sign in (in development, by a made-up
name and their agency, as citizens do), list their agency's tasks, open one (the API writes
the view to the citizen's disclosure log) and complete it with their reference or reject it
with a reason. Every page calls only the API's /v1/agency routes, with the staff token of
its own cookie (`inbox.STAFF_COOKIE`).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.auth import mint_token
from onceonly.portal.client import (
    CLOSE_FIELDS,
    Api,
    ApiProblem,
    agency_task,
    agency_tasks,
    close_agency_task,
)
from onceonly.portal.consent import display
from onceonly.portal.inbox import (
    FILTERS,
    STAFF_COOKIE,
    TASK_ID,
    Staff,
    agency_names,
    arranged,
    chosen_filter,
    close_errors,
    closed_words,
    one_line,
    overdue_words,
    receipt_words,
    service_title,
    signin_errors,
    staff_of,
)
from onceonly.portal.pages import (
    form_data,
    page_lang,
    render,
    safe_next,
    see_other,
    set_cookie,
    settings_of,
    when,
)
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False, prefix="/inbox")
_SIGN_IN = "/inbox/sign-in"
DONE = ("completed", "rejected", "completed_later", "rejected_later")
"""The notices the list shows after a close (`_later`: the life event reads it within the hour)."""


class StaffNotSignedIn(Exception):
    """The page needs a signed-in staff member (answered with the staff sign-in page)."""


def require_staff(request: Request) -> tuple[Staff, str]:
    """The signed-in staff member and their token, or StaffNotSignedIn."""
    token = request.cookies.get(STAFF_COOKIE)
    staff = staff_of(settings_of(request), token)
    if staff is None or token is None:
        raise StaffNotSignedIn
    return staff, token


async def catalogue_of(api: Api) -> dict[str, Any]:
    """The public catalogue: agencies' names, life events' titles."""
    catalogue: dict[str, Any] = await api.get("/v1/catalogue")
    return catalogue


@router.get("/sign-in")
async def signin_page(request: Request, next: str = "/inbox") -> Response:
    """The staff sign-in form (when the settings allow it, as citizens' dev sign-in)."""
    async with Api(request, None) as api:
        agencies = agency_names(await catalogue_of(api))
    context = {"next": _inbox_next(next), "errors": {}, "values": {}, "agencies": agencies}
    return render(request, "inbox_signin.html", context)


@router.post("/sign-in")
async def signin(request: Request) -> Response:
    """Sign in as the staff member named, of the agency chosen: a token with the agency role."""
    settings = settings_of(request)
    values = await form_data(request)
    async with Api(request, None) as api:
        agencies = agency_names(await catalogue_of(api))
    context: dict[str, Any] = {"next": _inbox_next(values.get("next")), "agencies": agencies}
    if not settings.portal_dev_login:
        return render(request, "inbox_signin.html", {**context, "errors": {}, "values": {}}, 403)
    name, agency = values.get("staff_name", "").strip(), values.get("agency", "")
    errors = signin_errors(name, agency, agencies)
    if errors:
        shown = {"staff_name": name, "agency": agency}
        return render(
            request, "inbox_signin.html", {**context, "errors": errors, "values": shown}, 422
        )
    response = see_other(request, context["next"])
    token = mint_token(settings, name, role="agency", agency=agency)
    set_cookie(request, response, STAFF_COOKIE, token)
    return response


@router.post("/sign-out")
async def signout(request: Request) -> Response:
    """Forget the staff session (a citizen's session in the same browser stays)."""
    await form_data(request)
    response = see_other(request, f"{_SIGN_IN}?signed_out=1")
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


@router.get("")
async def task_list(
    request: Request, state: str | None = None, done: str | None = None, task: str | None = None
) -> Response:
    """The agency's tasks: open ones by due date, overdue ones tagged; then closed ones."""
    staff, token = require_staff(request)
    lang, chosen = page_lang(request), chosen_filter(state)
    async with Api(request, token) as api:
        catalogue = await catalogue_of(api)
        try:
            answer = await agency_tasks(api, chosen)
        except ApiProblem as problem:
            return _refused(request, staff, catalogue, problem)
    now = datetime.now(UTC)
    open_, closed = arranged(answer["tasks"])
    context = {
        **_frame(staff, catalogue),
        "filters": FILTERS,
        "chosen": chosen,
        "open": [_row(task, catalogue, now, request) for task in open_],
        "closed": [_row(task, catalogue, now, request) for task in closed],
        "done": _done(done, task, lang),
    }
    return render(request, "inbox.html", context)


@router.get("/tasks/{task_id}")
async def task_page(request: Request, task_id: str) -> Response:
    """One task: what to do, the fields, the legal basis and consent receipt, the forms."""
    staff, token = require_staff(request)
    async with Api(request, token) as api:
        catalogue = await catalogue_of(api)
        if not TASK_ID.match(task_id):
            return _error(request, staff, catalogue, 404)
        try:
            task = await agency_task(api, task_id)
        except ApiProblem as problem:
            return _refused(request, staff, catalogue, problem)
    return _task_page(request, staff, catalogue, task, refused={})


@router.post("/tasks/{task_id}/{action}")
async def close_task(request: Request, task_id: str, action: str) -> Response:
    """Complete the task with the agency's reference, or reject it with a reason; a refusal
    shows the task again with the API's rule next to the input."""
    staff, token = require_staff(request)
    values = await form_data(request)
    field = CLOSE_FIELDS.get(action, "")
    value = one_line(values.get(field, ""))
    async with Api(request, token) as api:
        catalogue = await catalogue_of(api)
        if not TASK_ID.match(task_id) or not field:
            return _error(request, staff, catalogue, 404)
        try:
            closed = await close_agency_task(api, task_id, action, value)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                return _refused(request, staff, catalogue, problem)
            task = await agency_task(api, task_id)  # as it stands now (a view, logged)
            refused = {"conflict": problem.status == 409, "values": {field: value}}
            if problem.status == 422:
                lang = page_lang(request)
                refused["summary"] = close_errors(action, problem.errors, problem.detail, lang)
            return _task_page(
                request, staff, catalogue, task, refused=refused, status=problem.status
            )
    # The life event takes the news at once, or at its next hourly look at the inbox.
    done = closed["state"] + ("" if closed.get("woken") is not False else "_later")
    return see_other(request, f"/inbox?done={done}&task={task_id}")


def _task_page(
    request: Request,
    staff: Staff,
    catalogue: dict[str, Any],
    task: dict[str, Any],
    *,
    refused: dict[str, Any],
    status: int = 200,
) -> Response:
    lang = page_lang(request)
    receipt_ok, receipt = receipt_words(task, lang)
    summary = refused.get("summary") or []
    context = {
        **_frame(staff, catalogue),
        "task": task,
        "what": text(f"inbox.kind.{task['kind']}", lang),
        "service": service_title(task, catalogue, lang),
        "overdue": _overdue(task, datetime.now(UTC), request),
        "basis": task.get("legal_basis") or {},
        "receipt_ok": receipt_ok,
        "receipt": receipt,
        "receipt_id": (task.get("receipt_verification") or {}).get("receipt_id"),
        "fields": [
            (field["label"], display(field["path"], field["value"], lang))
            for field in task.get("fields") or []
        ],
        "closed": closed_words(task, _when(request), lang),
        "summary": summary,
        "errors": {error["field"]: error["rule"] for error in summary},
        "values": refused.get("values") or {},
        "conflict": refused.get("conflict", False),
    }
    return render(request, "inbox_task.html", context, status)


def _frame(staff: Staff, catalogue: dict[str, Any]) -> dict[str, Any]:
    """What every inbox page's masthead shows: who is signed in, at which agency."""
    return {"staff": staff, "staff_agency": agency_names(catalogue).get(staff.agency, "")}


def _row(
    task: Mapping[str, Any], catalogue: dict[str, Any], now: datetime, request: Request
) -> dict[str, Any]:
    lang = page_lang(request)
    return {
        "task_id": task["task_id"],
        "state": task["state"],
        "what": text(f"inbox.kind.{task['kind']}", lang),
        "service": service_title(task, catalogue, lang),
        "due": _when(request)(task["due_at"]),
        "overdue": _overdue(task, now, request),
    }


def _overdue(task: Mapping[str, Any], now: datetime, request: Request) -> str | None:
    if task["state"] != "open":
        return None
    return overdue_words(task["due_at"], now, page_lang(request))


def _when(request: Request) -> Any:
    timezone, lang = settings_of(request).timezone, page_lang(request)
    return lambda value: when(value, timezone, lang)


def _done(done: str | None, task_id: str | None, lang: str) -> str | None:
    """What was just done (only the inbox's own messages, and only a well-formed task id)."""
    if done not in DONE or not task_id or not TASK_ID.match(task_id):
        return None
    return text(f"inbox.done.{done}", lang, task_id=task_id)


def _inbox_next(path: str | None) -> str:
    """Where staff go after signing in: a page of the inbox, else the list."""
    target = safe_next(path)
    return target if target.startswith("/inbox") and target != _SIGN_IN else "/inbox"


def _refused(
    request: Request, staff: Staff, catalogue: dict[str, Any], problem: ApiProblem
) -> Response:
    """The API's refusal, in the inbox's words: signed out staff sign in again, another
    agency's task is no task at all."""
    if problem.status == 401:
        return _to_sign_in(request)
    if problem.status in (403, 404):
        return _error(request, staff, catalogue, problem.status)
    raise problem


def _error(request: Request, staff: Staff, catalogue: dict[str, Any], status: int) -> Response:
    """A refusal in the staff frame, leading back to the tasks."""
    lang = page_lang(request)
    title = text("error.not_found.title" if status == 404 else "error.title", lang)
    words = text("inbox.error.not_found" if status == 404 else "inbox.error.forbidden", lang)
    context = {**_frame(staff, catalogue), "title": title, "message": words}
    return render(request, "inbox_error.html", context, status)


def _to_sign_in(request: Request) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    target = f"{request.url.path}{query}" if request.method == "GET" else "/inbox"
    response = see_other(request, f"{_SIGN_IN}?next={quote(target)}")
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


async def staff_not_signed_in(request: Request, _: Exception) -> Response:
    """The handler of StaffNotSignedIn: to the staff sign-in page, and back after."""
    return _to_sign_in(request)
