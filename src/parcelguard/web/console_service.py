"""Customer-service console pages: the complaints queue with SLA badges, and one complaint.

A complaint page shows the complainant's words, the linked parcels (masked), the automatic
investigation and the answer form; "reveal" asks for a passkey step-up, then reveals one
field under the complaint as ticket (`/api/v1/complaints/{id}/reveal`), which the policy
decides and the audit log keeps. Forms post JSON with the session's CSRF token
(`static/portal.js`); the pages carry no inline script.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from parcelguard.access.roles import Role
from parcelguard.complaints import service as complaints
from parcelguard.complaints.words import words as complaint_words
from parcelguard.portal.words import access_row, field_words
from parcelguard.portal.words import words as access_words
from parcelguard.runtime import Runtime
from parcelguard.web import pages
from parcelguard.web.console_shell import Staff, StaffSession
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language

router = APIRouter(prefix="/console/service", include_in_schema=False)
# Customer service and security officers (`complaints.service.STAFF_ROLES`, checked there too).
ServicePage = Annotated[Staff, StaffSession(Role.CUSTOMER_SERVICE, Role.OFFICER)]
FILTERS = ("open", "overdue", "answered", "unsatisfied", "resolved", "all")
REVEALABLE = ("recipient.name", "recipient.phone", "recipient.address", "sender.name")

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "包裹隐私卫士",
        "switch": "English",
        "console": "员工控制台",
        "queue": "投诉工单",
        "filters": {
            "open": "待答复",
            "overdue": "已超时",
            "answered": "已答复",
            "unsatisfied": "不满意",
            "resolved": "已解决",
            "all": "全部",
        },
        "empty": "没有符合条件的投诉。",
        "id": "编号",
        "kind": "类型",
        "status": "状态",
        "filed": "提交时间",
        "due": "答复期限",
        "parcels": "相关包裹",
        "open": "处理",
        "text": "投诉内容",
        "answer": "答复",
        "answer_hint": "答复会加密保存，并以短信通知投诉人登录查看。请勿在答复中写入他人个人信息。",
        "send_answer": "提交答复",
        "timeline": "处理经过",
        "investigation": "自动调查：谁访问过投诉人的信息",
        "inv_summary": "员工查看完整信息 {reveals} 次，被拒绝 {denied} 次。",
        "inv_none": "没有员工访问记录。",
        "inv_missing": "以下调查项暂不可用：{names}",
        "inv_names": {"alerts": "异常告警", "calls": "隐私号通话记录"},
        "when": "时间",
        "who": "岗位",
        "station": "站点",
        "what": "操作",
        "purpose": "目的",
        "decision": "结果",
        "linked": "投诉相关",
        "reveal_note": "需要核实时，可按本工单查看一项信息：需通行密钥验证，每次查看都会记录，"
        "并显示在投诉人的“谁看过我的信息”中。",
        "reveal": "查看",
        "back": "返回工单",
        "msg_working": "请在设备上完成验证……",
        "msg_cancelled": "已取消或超时，请重试。",
        "msg_unsupported": "此浏览器不支持通行密钥。",
        "msg_failed": "操作失败",
        "msg_revealed": "已显示（本次查看已记录），两分钟后自动隐藏。",
        "msg_saved": "已保存。",
        "needs_js": "此页面需要启用 JavaScript。",
    },
    "en": {
        "title": "ParcelGuard",
        "switch": "中文",
        "console": "Staff console",
        "queue": "Complaints",
        "filters": {
            "open": "Awaiting answer",
            "overdue": "Overdue",
            "answered": "Answered",
            "unsatisfied": "Not satisfied",
            "resolved": "Resolved",
            "all": "All",
        },
        "empty": "No complaints here.",
        "id": "No.",
        "kind": "Kind",
        "status": "Status",
        "filed": "Filed",
        "due": "Answer due",
        "parcels": "Parcels",
        "open": "Handle",
        "text": "Complaint",
        "answer": "Answer",
        "answer_hint": "The answer is stored encrypted; the complainant gets a text message "
        "asking them to read it. Write nobody else's personal data in it.",
        "send_answer": "Send the answer",
        "timeline": "Timeline",
        "investigation": "Automatic investigation: who accessed the complainant's data",
        "inv_summary": "Staff viewed full details {reveals} times; {denied} attempts refused.",
        "inv_none": "No staff accesses.",
        "inv_missing": "Not available yet: {names}",
        "inv_names": {"alerts": "monitor alerts", "calls": "relay call records"},
        "when": "When",
        "who": "Role",
        "station": "Station",
        "what": "What",
        "purpose": "Purpose",
        "decision": "Decision",
        "linked": "linked",
        "reveal_note": "To check a detail, reveal one field under this ticket: a passkey "
        "confirms it, it is recorded and the complainant sees it under “who viewed my data”.",
        "reveal": "Reveal",
        "back": "Back to the queue",
        "msg_working": "Confirm on your device…",
        "msg_cancelled": "Cancelled or timed out; try again.",
        "msg_unsupported": "This browser does not support passkeys.",
        "msg_failed": "Failed",
        "msg_revealed": "Shown (this look was recorded); hidden again in two minutes.",
        "msg_saved": "Saved.",
        "needs_js": "This page needs JavaScript.",
    },
}


class AnswerForm(BaseModel):
    """The answer form, posted as JSON by `portal.js`."""

    text: str = Field(min_length=1, max_length=complaints.MAX_TEXT)


def staff_page(
    request: Request,
    name: str,
    text: dict[str, dict[str, Any]],
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """Render a console page in the caller's language (the one page shell)."""
    return pages.render(request, name, text[language(request)], context, status_code=status_code)


@router.get("", response_model=None)
def queue(staff: ServicePage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the complaints queue, oldest due first, with SLA badges."""
    caller = staff.caller
    chosen = request.query_params.get("status") or "open"
    chosen = chosen if chosen in FILTERS else "open"
    with rt.db.read_session() as session:
        found = complaints.queue(rt, session, caller.actor, None if chosen == "all" else chosen)
    context = {
        "complaints": found,
        "filters": FILTERS,
        "chosen": chosen,
        "cw": complaint_words(language(request)),
    }
    return staff_page(request, "console/service/queue.html", TEXT, context)


@router.get("/complaints/{complaint_id}", response_model=None)
def complaint(
    staff: ServicePage, complaint_id: str, request: Request, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show a complaint with the automatic investigation and the answer form (audited)."""
    caller = staff.caller
    lang = language(request)
    found = complaints.staff_view(rt, caller.actor, complaint_id)
    access = found["investigation"]["sections"].get("access")
    rows = [access_row(r, lang) for r in access["rows"]] if access else []
    context = {
        "c": found,
        "access": access,
        "rows": rows,
        "missing": [
            TEXT[lang]["inv_names"][n]
            for n in ("alerts", "calls")
            if n not in found["investigation"]["sections"]
        ],
        "cw": complaint_words(lang),
        "w": access_words(lang),
        "revealable": [(f, field_words(f, lang)) for f in REVEALABLE],
        "can_answer": found["status"] in ("open", "unsatisfied"),
    }
    return staff_page(request, "console/service/complaint.html", TEXT, context)


@router.post("/complaints/{complaint_id}/answer")
def answer(
    staff: ServicePage, complaint_id: str, body: AnswerForm, rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    """Answer from the console (JSON from `portal.js`); the complainant is told by SMS."""
    done = complaints.answer(rt, staff.caller.actor, complaint_id, body.text)
    return {"next": f"/console/service/complaints/{done['id']}"}


def mount(app: FastAPI) -> None:
    """Add the customer-service console pages."""
    app.include_router(router)
