"""The erasure's request and response bodies: which appeal or subject, on what ground; the
erasure as recorded (ids, ground, date, how many keys: no personal data)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.privacy.erasure import ErasureGround
from domain.shared.inputs import Input


class ErasureRequest(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Name one appeal (its data only) or one data subject (every appeal of theirs)."""

    ground: ErasureGround
    appeal_id: UUID | None = None
    subject_id: UUID | None = None


class Erasure(msgspec.Struct, frozen=True, kw_only=True):
    erasure_id: UUID
    subject_id: UUID
    appeal_ids: list[UUID]
    ground: ErasureGround
    erased_on: date
    keys: int  # data keys destroyed
    placeholder: str  # what the erased fields read as from now on
