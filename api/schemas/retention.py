"""Retention's bodies: a closed appeal whose personal data expires (no citizen's data: the
registration number, kind, department and dates), and a legal hold's request and state."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.shared.inputs import Input, ShortText


class ExpiringAppeal(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    registration_number: str | None
    kind: str
    department: str | None
    closed_on: date
    expires_on: date  # the first day its personal data is no longer kept
    held: bool  # a legal hold keeps it past that day
    basis: str  # the archival rule the period rests on


class HoldRequest(Input, frozen=True, kw_only=True):
    ground: ShortText  # the case or check: «дело № …», «проверка прокуратуры от …», «отбор ЭПК»


class LegalHoldState(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    held: bool
    ground: str
    since: datetime
