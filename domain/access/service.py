"""Accounts and tokens through the one command handler: open, change, disable and enable an
account; issue, revoke and rotate its tokens (the secret is made here, shown once, never saved)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import msgspec
from eventsourcing.application import Application

from domain.access.commands import (
    DEFAULT_TOKEN_DAYS,
    AccessCommand,
    ChangeRoles,
    DisableAccount,
    EnableAccount,
    IssueToken,
    OpenAccount,
    RevokeToken,
    RotateToken,
)
from domain.access.decide import ACCOUNT_DECIDER
from domain.access.events import account_stream
from domain.access.state import Account, Token
from domain.shared.actors import Actor, Role
from domain.shared.errors import NotFound
from domain.shared.handler import CommandHandler, Written

TOKEN_PREFIX = "otk_"  # noqa: S105 (a prefix, not a secret): what a leaked-secret scanner matches


def secret_hash(secret: str) -> str:
    """The SHA-256 of a secret, in hex: what the event and the table keep."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """``otk_`` and 256 random bits (43 URL-safe characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    """A token just issued: its secret, shown this once."""

    secret: str
    token: Token
    account: Account


class AccessService:
    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        default_lifetime: int = DEFAULT_TOKEN_DAYS * 86_400,
    ) -> None:
        self.handler = CommandHandler(store, clock)
        self.default_lifetime = default_lifetime  # seconds

    def account(self, account_id: str) -> Account | None:
        try:
            return self.handler.load(ACCOUNT_DECIDER, account_stream(account_id)).state
        except NotFound:  # a stream of another kind under that id: no account
            return None

    def _handle(
        self,
        account_id: str,
        command: AccessCommand,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[Account]:
        return self.handler.handle(
            ACCOUNT_DECIDER,
            account_stream(account_id),
            command,
            actor=actor,
            expected_version=expected_version,
            must_exist=not isinstance(command, OpenAccount),
        )

    def open(self, command: OpenAccount, *, actor: Actor) -> Account:
        return self._handle(command.account_id, command, actor).state

    def change_roles(
        self,
        account_id: str,
        command: ChangeRoles,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Account:
        return self._handle(account_id, command, actor, expected_version).state

    def disable(
        self, account_id: str, reason: str, *, actor: Actor, expected_version: int | None = None
    ) -> Account:
        command = DisableAccount(reason=reason)
        return self._handle(account_id, command, actor, expected_version).state

    def enable(
        self, account_id: str, *, actor: Actor, expected_version: int | None = None
    ) -> Account:
        return self._handle(account_id, EnableAccount(), actor, expected_version).state

    def issue(
        self,
        account_id: str,
        *,
        name: str,
        role: Role,
        actor: Actor,
        lifetime_seconds: int | None = None,
    ) -> IssuedToken:
        secret = new_secret()
        command = IssueToken(
            token_id=uuid.uuid4(),
            name=name,
            role=role,
            lifetime_seconds=lifetime_seconds or self.default_lifetime,
            secret_hash=secret_hash(secret),
        )
        account = self._handle(account_id, command, actor).state
        return IssuedToken(secret=secret, token=account.tokens[-1], account=account)

    def revoke(self, account_id: str, token_id: UUID, *, actor: Actor) -> Token:
        account = self._handle(account_id, RevokeToken(token_id=token_id), actor).state
        found = account.token(token_id)
        assert found is not None
        return found

    def rotate(self, account_id: str, token_id: UUID, *, actor: Actor) -> IssuedToken:
        secret = new_secret()
        command = RotateToken(
            token_id=token_id, new_token_id=uuid.uuid4(), secret_hash=secret_hash(secret)
        )
        account = self._handle(account_id, command, actor).state
        return IssuedToken(secret=secret, token=account.tokens[-1], account=account)
