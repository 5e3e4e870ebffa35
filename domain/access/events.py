"""The account stream's events: an account opened, its roles changed, disabled and enabled, tokens
issued and revoked. Each names who acted (the envelope), so the log shows who could do what on any
date."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.shared.actors import Role
from domain.shared.envelope import Envelope

_NAMESPACE = uuid.UUID("6c1f0a52-8d3e-4f7b-a2c9-31e4b5d60a18")


def account_stream(account_id: str) -> UUID:
    """The stream of the account ``account_id`` (a code such as ``a.petrova``)."""
    return uuid.uuid5(_NAMESPACE, f"account:{account_id}")


class RevocationReason(StrEnum):
    REVOKED = "revoked"  # its holder or an administrator ended it
    ROTATED = "rotated"  # replaced by a new token of the same name, role and lifetime
    ROLE_WITHDRAWN = "role_withdrawn"  # the account no longer holds the role it acted with


class AccessEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of the account stream's events (the store tells the stream's kind by it)."""

    account_id: str


class AccountOpened(AccessEvent, frozen=True, kw_only=True, gc=False):
    """``person_id``: the directory's person (None for a service account: a benchmark, an
    integration); ``unit_id``: the unit the account is bound to, required for the executor role
    (the directory's executor position wins over it when there is one)."""

    person_id: str | None
    name: str  # the display name every event the account's tokens record shows
    roles: tuple[Role, ...]
    unit_id: str | None = None


class AccountRolesChanged(AccessEvent, frozen=True, kw_only=True, gc=False):
    """The roles (and the unit they are bound to) after the change."""

    roles: tuple[Role, ...]
    unit_id: str | None = None


class AccountDisabled(AccessEvent, frozen=True, kw_only=True, gc=False):
    """Every token of the account ends with it (and stays ended when it is enabled again)."""

    reason: str


class AccountEnabled(AccessEvent, frozen=True, kw_only=True, gc=False):
    """The account may act again (who and when: the envelope); its ended tokens stay ended."""


class TokenIssued(AccessEvent, frozen=True, kw_only=True, gc=False):
    """``secret_hash``: the SHA-256 of the secret (hex). It is kept in the event, not only in the
    table authentication reads: the table is then a function of the log (rebuildable, checkable),
    and the hash of 256 random bits lets nobody in (the secret itself is never recorded)."""

    token_id: UUID
    name: str
    role: Role
    expires_at: datetime
    secret_hash: str


class TokenRevoked(AccessEvent, frozen=True, kw_only=True, gc=False):
    """Who revoked it is the envelope's actor."""

    token_id: UUID
    reason: RevocationReason = RevocationReason.REVOKED


ACCESS_EVENT_TYPES: tuple[type[AccessEvent], ...] = (
    AccountOpened,
    AccountRolesChanged,
    AccountDisabled,
    AccountEnabled,
    TokenIssued,
    TokenRevoked,
)
