"""How the acts of the procedure 59-ФЗ sets change the appeal's state: ст.11 decisions and their
notices, requests for information (ст.10 ч.2), copies (ст.8 ч.4), a complaint returned (ст.8 ч.7);
registered in the same table as every other transition."""

from __future__ import annotations

import msgspec

from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState, InformationRequest
from domain.appeals.transitions import _next, _on


# --- issue 14: 59-ФЗ ст. 11 decisions and their notices ---
@_on
def _(event: ev.AppealDecidedUnderArticle11, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        article11_part=event.part,
        article11_decided_at=event.occurred_at,
        left_without_answer_ground=event.ground,
        notice_owed=event.notice_owed,
        notice_due=event.notice_due,
        published_url=event.published_url,
        forwarded_to=event.crime_report_forwarded_to or state.forwarded_to,
    )


@_on
def _(event: ev.CitizenNoticeGiven, state: AppealState) -> AppealState:
    return _next(state, event, notice_owed=False, notice_given_at=event.occurred_at)


# --- ст.10 ч.2 59-ФЗ: requests for information ----------------------------------------------
@_on
def _(event: ev.InformationRequested, state: AppealState) -> AppealState:
    sent = InformationRequest(
        id=event.request_id,
        to_body=event.to_body,
        sent_at=event.occurred_at,
        reply_due=event.reply_due,
    )
    return _next(state, event, information_requests=(*state.information_requests, sent))


@_on
def _(event: ev.InformationReplyReceived, state: AppealState) -> AppealState:
    requests = tuple(
        msgspec.structs.replace(r, replied_at=event.occurred_at) if r.id == event.request_id else r
        for r in state.information_requests
    )
    return _next(state, event, information_requests=requests)


# --- ст.8 ч.4 59-ФЗ: copies to the other competent bodies (issue 14) -----------------------------
@_on
def _(event: ev.AppealCopiesSent, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        copied_to=(*state.copied_to, *event.to_bodies),
        copies_sent_at=state.copies_sent_at or event.occurred_at,
        complaint_against=event.complaint_against or state.complaint_against,
    )


# --- ст.8 ч.7 59-ФЗ: the complaint returned (``AppealClosed`` closes it) -------------------------
@_on
def _(event: ev.ComplaintReturned, state: AppealState) -> AppealState:
    return _next(state, event, complaint_against=event.complaint_against)
