"""The account stream's decider: who may ask what of an account, and what each command decides
(the errors say which rule failed). Administrators manage accounts; an account manages its own
tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from domain.access.commands import (
    MIN_TOKEN_SECONDS,
    AccessCommand,
    ChangeRoles,
    DisableAccount,
    EnableAccount,
    IssueToken,
    OpenAccount,
    RevokeToken,
    RotateToken,
)
from domain.access.events import (
    AccessEvent,
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountRolesChanged,
    RevocationReason,
    TokenIssued,
    TokenRevoked,
)
from domain.access.records import access_records
from domain.access.state import Account, Token, evolve
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from domain.shared.handler import Decider, Decision

TOKEN_COMMANDS = (IssueToken, RevokeToken, RotateToken)


def authorise(state: Account | None, command: AccessCommand, actor: Actor) -> None:
    if actor.role is Role.ADMINISTRATOR:
        return
    own = state is not None and actor.id == state.account_id
    if isinstance(command, TOKEN_COMMANDS):
        if not own:
            raise Forbidden("only an administrator or the account itself manages its tokens")
        return
    raise Forbidden("only an administrator opens, changes, disables and enables accounts")


def _bound(roles: tuple[Role, ...], unit_id: str | None) -> tuple[Role, ...]:
    """The roles once each; an executor acts for a unit, so the account must name one."""
    if Role.EXECUTOR in roles and unit_id is None:
        raise InvalidCommand("an executor's account needs the unit it acts for (unit_id)")
    if Role.CITIZEN in roles:  # issue 17: a signed rating link acts for the citizen, never a token
        raise InvalidCommand("the citizen's role comes with a rating link, not with an account")
    return tuple(dict.fromkeys(roles))


def _live(state: Account) -> Account:
    if state.disabled:
        raise RuleViolated(f"the account {state.account_id} is disabled")
    return state


def _token(state: Account, token_id: Any) -> Token:
    token = state.token(token_id)
    if token is None:
        raise NotFound("there is no such token")
    if token.revoked_at is not None:
        raise RuleViolated("the token is already revoked")
    return token


def _open(state: Account | None, c: OpenAccount, s: Stamper) -> list[AccessEvent]:
    if state is not None:
        raise RuleViolated(f"the account {c.account_id} already exists")
    roles = _bound(c.roles, c.unit_id)
    return [
        AccountOpened(
            **s.envelope(),
            account_id=c.account_id,
            person_id=c.person_id,
            name=c.name,
            roles=roles,
            unit_id=c.unit_id,
        )
    ]


def _change(state: Account, c: ChangeRoles, s: Stamper) -> list[AccessEvent]:
    roles = _bound(c.roles, c.unit_id)
    if set(roles) == set(state.roles) and c.unit_id == state.unit_id:
        return []  # nothing changes: nothing recorded
    changed: list[AccessEvent] = [
        AccountRolesChanged(
            **s.envelope(), account_id=state.account_id, roles=roles, unit_id=c.unit_id
        )
    ]
    withdrawn = RevocationReason.ROLE_WITHDRAWN
    for token in state.tokens:  # a token acting with a role the account no longer holds ends
        if token.revoked_at is None and token.role not in roles:
            changed.append(
                TokenRevoked(
                    **s.envelope(),
                    account_id=state.account_id,
                    token_id=token.token_id,
                    reason=withdrawn,
                )
            )
    return changed


def _issue(state: Account, c: IssueToken, s: Stamper, lifetime: timedelta) -> AccessEvent:
    """``c`` issued for ``lifetime`` (a rotation keeps the old token's)."""
    if c.role not in state.roles:
        raise InvalidCommand(
            f"a token's role must be one of the account's roles ({', '.join(state.roles)})"
        )
    if state.token(c.token_id) is not None:
        raise RuleViolated("a token with this id was already issued")
    return TokenIssued(
        **s.envelope(),
        account_id=state.account_id,
        token_id=c.token_id,
        name=c.name,
        role=c.role,
        expires_at=s.now + lifetime,
        secret_hash=c.secret_hash,
    )


def _revoked(state: Account, token: Token, s: Stamper, reason: RevocationReason) -> AccessEvent:
    return TokenRevoked(
        **s.envelope(), account_id=state.account_id, token_id=token.token_id, reason=reason
    )


def _decide_existing(state: Account, command: AccessCommand, s: Stamper) -> list[AccessEvent]:
    match command:
        case ChangeRoles():
            return _change(_live(state), command, s)
        case DisableAccount():
            if state.disabled:
                raise RuleViolated(f"the account {state.account_id} is already disabled")
            return [
                AccountDisabled(**s.envelope(), account_id=state.account_id, reason=command.reason)
            ]
        case EnableAccount():
            if not state.disabled:
                raise RuleViolated(f"the account {state.account_id} is not disabled")
            return [AccountEnabled(**s.envelope(), account_id=state.account_id)]
        case IssueToken():
            return [_issue(_live(state), command, s, timedelta(seconds=command.lifetime_seconds))]
        case RevokeToken():
            token = _token(state, command.token_id)
            return [_revoked(state, token, s, RevocationReason.REVOKED)]
        case RotateToken():
            old = _token(_live(state), command.token_id)
            renewed = IssueToken(
                token_id=command.new_token_id,
                name=old.name,
                role=old.role,
                lifetime_seconds=MIN_TOKEN_SECONDS,  # not read: the old lifetime is kept
                secret_hash=command.secret_hash,
            )
            revoked = _revoked(state, old, s, RevocationReason.ROTATED)
            return [revoked, _issue(state, renewed, s, old.lifetime)]
    raise InvalidCommand("this account already exists")


def decide(state: Account | None, command: AccessCommand, c: Decision) -> list[AccessEvent]:
    s = Stamper(c.stream_id, c.version, c.actor, c.now, c.now)
    if isinstance(command, OpenAccount):
        return _open(state, command, s)
    assert state is not None  # the handler loads an existing account for every other command
    return _decide_existing(state, command, s)


def records(state: Account, events: Sequence[AccessEvent]) -> Mapping[str, Any]:
    return {"access": access_records(state, events)}


ACCOUNT_DECIDER: Decider[Account, AccessCommand, AccessEvent] = Decider(
    name="account",
    events=AccessEvent,
    evolve=evolve,
    decide=decide,
    missing="there is no such account",
    authorise=authorise,
    records=records,
)
