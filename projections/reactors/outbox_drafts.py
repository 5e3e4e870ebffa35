"""What message each appeal act calls for: its purpose, template, the norm it rests on, whom it
goes to and the variables its template reads. Pure: the appeal's events up to the act in, drafts
out (the outbox reactor queues them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState
from domain.appeals.state import fold
from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.outbox.addressing import NOWHERE, Address, address_of
from domain.outbox.events import OutboundChannel, Purpose

# The appeal acts the outbox reads (its topics).
TRIGGERS = frozenset(
    {
        "AppealRegistered",
        "InterimAnswerGiven",
        "AnswerPublished",
        "AppealForwarded",
        "AppealCopiesSent",
        "DeadlineExtended",
        "CitizenNoticeGiven",
        "ComplaintReturned",
        "AppealEscalated",
    }
)
# The channels whose citizens expect a confirmation of registration (a reply where they wrote).
CONFIRMING = frozenset({Channel.EMAIL, Channel.TELEGRAM, Channel.VK})
ELECTRONIC = frozenset({OutboundChannel.EMAIL, OutboundChannel.TELEGRAM, OutboundChannel.VK})
RatingLink = Callable[[UUID, int], str]
PersonAddress = Callable[[str], str | None]


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    purpose: Purpose
    template: str
    article: str | None
    address: Address
    variables: dict[str, Any]


class Drafting:
    """Drafts for one act, given the appeal's events up to and including it."""

    def __init__(
        self,
        timezone: str,
        rating_link: RatingLink | None = None,
        person_address: PersonAddress | None = None,
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.rating_link = rating_link
        self.person_address = person_address

    def drafts(self, history: Sequence[ev.AppealEvent]) -> list[Draft]:
        act, received = history[-1], history[0]
        state = fold(history)
        if state is None or not isinstance(received, ev.AppealReceived):
            return []
        zone = ZoneInfo(state.timezone) if state.timezone else self.zone
        common = {"appeal": self._appeal(state, zone), "rating_url": None}
        citizen = address_of(received.citizen, state.channel)
        draft = self._draft(act, state, history, citizen, zone)
        if draft is None:
            return []
        variables = {**common, "article": draft.article, **draft.variables}
        return [msgspec.structs.replace(draft, variables=variables)]

    def _appeal(self, s: AppealState, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "id": str(s.id),
            "number": s.registration_number or "(без номера)",
            "received_on": _day(s.received_at, zone),
            "answer_due": _due_day(s.answer_due, zone) if s.answer_due else None,
            "topic": s.topic,
        }

    def _draft(  # noqa: C901 (one case per act)
        self,
        act: ev.AppealEvent,
        s: AppealState,
        history: Sequence[ev.AppealEvent],
        citizen: Address,
        zone: ZoneInfo,
    ) -> Draft | None:
        def to_citizen(
            purpose: Purpose, article: str | None, asked: Channel | None = None, **v: Any
        ) -> Draft:
            received = history[0]
            assert isinstance(received, ev.AppealReceived)
            where = address_of(received.citizen, s.channel, asked) if asked else citizen
            return Draft(
                purpose=purpose, template=purpose.value, article=article, address=where, variables=v
            )

        match act:
            case ev.AppealRegistered():
                if s.channel not in CONFIRMING or citizen.channel not in ELECTRONIC:
                    return None
                law = "ст.8 ч.2 59-ФЗ" if s.kind is Kind.APPEAL else None
                return to_citizen(Purpose.REGISTRATION_CONFIRMATION, law)
            case ev.InterimAnswerGiven():
                answer = {"text": act.text, "fix_date": None}
                return to_citizen(Purpose.INTERIM_ANSWER, None, answer=answer)
            case ev.AnswerPublished():
                return self._answer(act, s, to_citizen(Purpose.ANSWER, "ст.10 ч.1 п.4 59-ФЗ"))
            case ev.AppealForwarded():
                forwarding = {"to_body": act.to_body, "reason": act.reason}
                return to_citizen(
                    Purpose.FORWARDING_NOTICE, "ст.8 ч.3 59-ФЗ", forwarding=forwarding
                )
            case ev.AppealCopiesSent():
                copies = {"to_bodies": ", ".join(act.to_bodies)}
                return to_citizen(Purpose.COPIES_NOTICE, "ст.8 ч.4 59-ФЗ", copies=copies)
            case ev.DeadlineExtended() if act.deadline is Deadline.ANSWER:
                asked = act.notice.channel if act.notice else None
                extension = {
                    "days": act.days,
                    "new_due": _due_day(act.new_due, zone),
                    "reason": act.reason,
                }
                return to_citizen(
                    Purpose.EXTENSION_NOTICE, "ст.12 ч.2 59-ФЗ", asked, extension=extension
                )
            case ev.CitizenNoticeGiven():
                return to_citizen(
                    Purpose.ARTICLE11_NOTICE,
                    f"ст.11 ч.{act.part.value} 59-ФЗ",
                    act.channel,
                    notice=_notice(act, history),
                )
            case ev.ComplaintReturned():
                complaint = {
                    "against": act.complaint_against,
                    "reason": act.reason,
                    "court_explanation": act.court_explanation,
                }
                return to_citizen(
                    Purpose.COMPLAINT_RETURNED,
                    "ст.8 ч.7 59-ФЗ",
                    act.notice.channel,
                    complaint=complaint,
                )
            case ev.AppealEscalated():
                return self._escalation(act)
        return None

    def _answer(self, act: ev.AnswerPublished, s: AppealState, draft: Draft) -> Draft:
        fix = s.answer_fix_date.strftime("%d.%m.%Y") if s.answer_fix_date else None
        link = (
            self.rating_link(s.id, s.answer_version) if self.rating_link else None
        )  # per reopening
        variables = {"answer": {"text": s.answer_text or "", "fix_date": fix}, "rating_url": link}
        return msgspec.structs.replace(draft, variables=variables)

    def _escalation(self, act: ev.AppealEscalated) -> Draft:
        found = None
        if act.to_person_id and self.person_address is not None:
            found = self.person_address(act.to_person_id)
        address = Address(channel=OutboundChannel.EMAIL, recipient=found) if found else NOWHERE
        escalation = {
            "to_person": act.to_person,
            "to": act.to.value,
            "reason": act.reason,
            "automatic": act.automatic,
        }
        return Draft(
            purpose=Purpose.ESCALATION,
            template=Purpose.ESCALATION.value,
            article=None,
            address=address,
            variables={"escalation": escalation},
        )


def _notice(act: ev.CitizenNoticeGiven, history: Sequence[ev.AppealEvent]) -> dict[str, Any]:
    decided = next(
        (e for e in reversed(history) if isinstance(e, ev.AppealDecidedUnderArticle11)), None
    )
    return {
        "part": act.part.value,
        "subject": act.subject,
        "url": act.url,
        "court_decision": decided.court_decision if decided else None,
        "appeal_explanation": decided.appeal_explanation if decided else None,
    }


def _day(moment: datetime | date, zone: ZoneInfo) -> str:
    day = moment
    if isinstance(moment, datetime):
        try:
            day = moment.astimezone(zone).date()
        except OverflowError:  # a moment at the calendar's very ends: its UTC day
            day = moment.date()
    return day.strftime("%d.%m.%Y")


def _due_day(due: datetime, zone: ZoneInfo) -> str:
    """The last day of a term: a due moment is exclusive (met by an act strictly before it)."""
    try:
        last = due - timedelta(microseconds=1)
    except OverflowError:  # the earliest moment there is: its own day
        last = due
    return _day(last, zone)
