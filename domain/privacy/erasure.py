"""Erasure of a data subject's personal data as a recorded act: the ground, the command, the
event (who, on what ground, when, which subject and appeals: no data) and the stream's decider."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.privacy.fields import placeholder
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Envelope
from domain.shared.errors import Forbidden
from domain.shared.handler import Decision


class ErasureGround(StrEnum):
    """The lawful grounds an erasure rests on (152-ФЗ unless said)."""

    CITIZEN_REQUEST = "citizen_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PURPOSE_ACHIEVED = "purpose_achieved"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    RETENTION = "retention"
    COURT_ORDER = "court_order"


GROUND_LABELS: dict[ErasureGround, str] = {
    ErasureGround.CITIZEN_REQUEST: "требование субъекта персональных данных, ч.1 ст.14, ст.21 152-ФЗ",
    ErasureGround.CONSENT_WITHDRAWN: "отзыв согласия, ч.5 ст.21 152-ФЗ",
    ErasureGround.PURPOSE_ACHIEVED: "достижение цели обработки, ч.4 ст.21 152-ФЗ",
    ErasureGround.UNLAWFUL_PROCESSING: "неправомерная обработка, ч.3 ст.21 152-ФЗ",
    ErasureGround.RETENTION: "истечение срока хранения, ч.7 ст.5 152-ФЗ",
    ErasureGround.COURT_ORDER: "решение суда",
}
# Who may order an erasure: the administrator who answers for information protection; the
# retention reactor acts as the system.
ERASERS = frozenset({Role.SECURITY_ADMIN, Role.SYSTEM})


def erasure_placeholder(erased_on: date, ground: ErasureGround) -> str:
    return placeholder(erased_on, GROUND_LABELS[ground])


class PrivacyEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a data subject's stream (its id: the subject's id)."""


class PersonalDataErased(PrivacyEvent, frozen=True, kw_only=True, gc=False):
    """The keys of a subject (or of one of their appeals) were destroyed: every sealed copy of
    their data is unreadable from now on. ``erased_on``: the local date the placeholders name."""

    erasure_id: UUID
    subject_id: UUID
    appeal_ids: tuple[UUID, ...]  # the appeals whose data went (the views overwrite their rows)
    whole_subject: bool  # True: every appeal of the subject; False: the ones named
    ground: ErasureGround
    erased_on: date
    keys: int  # how many data keys were destroyed

    @property
    def placeholder(self) -> str:
        return erasure_placeholder(self.erased_on, self.ground)


PRIVACY_EVENT_TYPES: tuple[type[PrivacyEvent], ...] = (PersonalDataErased,)


class RecordErasure(msgspec.Struct, frozen=True, kw_only=True):
    """Record an erasure that the key store has carried out (the keys are already gone)."""

    erasure_id: UUID
    subject_id: UUID
    appeal_ids: tuple[UUID, ...]
    whole_subject: bool
    ground: ErasureGround
    erased_on: date
    keys: int


class SubjectState(msgspec.Struct, frozen=True, kw_only=True):
    erasures: int


def ensure_may_erase(actor: Actor) -> None:
    if actor.role not in ERASERS:
        raise Forbidden("only the information-protection administrator may erase personal data")


def evolve(state: SubjectState | None, event: PrivacyEvent) -> SubjectState:
    return SubjectState(erasures=(state.erasures if state else 0) + 1)


def decide(
    state: SubjectState | None, command: RecordErasure, context: Decision
) -> Sequence[PrivacyEvent]:
    ensure_may_erase(context.actor)
    version = context.version + 1
    return [
        PersonalDataErased(
            originator_id=context.stream_id,
            originator_version=version,
            timestamp=context.now,
            occurred_at=context.now,
            actor=context.actor,
            **msgspec.structs.asdict(command),
        )
    ]


class Eraser(ABC):
    """What erases (the key store and the log together, ``infra.privacy.erasure``): the API's
    view of it. An ABC, not a Protocol: a dependency's type must be checkable."""

    @abstractmethod
    def erase(
        self,
        *,
        ground: ErasureGround,
        actor: Actor,
        appeal_id: UUID | None = None,
        subject_id: UUID | None = None,
    ) -> PersonalDataErased: ...
