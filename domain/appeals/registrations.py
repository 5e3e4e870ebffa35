"""Registration numbers as records saved with the events: taken once within a municipality (a
number taken twice fails the whole append), and the domain error that says so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError

from domain.appeals.events import AppealEvent, AppealRegistered
from domain.appeals.state import AppealState
from domain.shared.errors import RuleViolated


class RegistrationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Saved with an ``AppealRegistered`` event, in the same transaction: a number is taken once
    within a municipality (None: the deployment's default one)."""

    municipality: str | None
    number: str
    appeal_id: UUID


class RegistrationConflict(IntegrityError):
    """The append failed because a registration number it gives is already taken (the recorder
    classifies the database's error, where its cause is visible)."""


class RegistrationNumberTaken(RuleViolated):
    code = "registration-number-taken"

    def __init__(self) -> None:
        super().__init__("the registration number is already taken by another appeal")


def registrations(state: AppealState, events: Sequence[AppealEvent]) -> dict[str, Any]:
    return {
        "registrations": [
            RegistrationRecord(
                municipality=state.municipality, number=e.registration_number, appeal_id=state.id
            )
            for e in events
            if isinstance(e, AppealRegistered)
        ]
    }


def number_taken(error: IntegrityError) -> RegistrationNumberTaken | None:
    return RegistrationNumberTaken() if isinstance(error, RegistrationConflict) else None
