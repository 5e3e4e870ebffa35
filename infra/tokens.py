"""Bearer tokens: authentication (a token's row, read on every request: a revocation, a disabled
account or an expiry is seen by the next one), its last use (written at most once a minute), and
the command line's way to a token (a service account for a name, then a token of it)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg_pool import ConnectionPool

from domain.access.commands import ChangeRoles, OpenAccount
from domain.access.service import TOKEN_PREFIX, AccessService, IssuedToken, secret_hash
from domain.shared.actors import Actor, Role
from infra.token_cache import notify_access_changed
from projections.access import NO_OWNER, AccessQueries

# The unit of a person's executor position on a date, from the directory (None: none known).
ExecutorUnit = Callable[[str, date], str | None]
LAST_USE_GRANULARITY = timedelta(minutes=1)  # at most one write a minute per token
# Who acts when the command line (a person at the server's console) changes access.
CLI_ACTOR = Actor(id="otklik-cli", role=Role.ADMINISTRATOR, name="Командная строка otklik")
_AUTHENTICATE = (
    "SELECT t.id, t.name, t.role, t.department, t.account_id, t.last_used_at,"
    " a.name, a.person_id, a.unit_id, t.expires_at"
    " FROM api_tokens t LEFT JOIN accounts a ON a.id = t.account_id"
    " WHERE t.token_hash = %s AND t.revoked_at IS NULL"
    " AND (t.expires_at IS NULL OR t.expires_at > %s)"
    " AND (t.account_id IS NULL OR a.disabled_at IS NULL)"
)
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_IN_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia"
_LATIN = dict(zip(_CYRILLIC, _IN_LATIN.split(), strict=True))


def service_account_id(name: str) -> str:
    """A service account's id for a holder's name: its letters in Latin, and six hex digits of
    the name's hash (two names never share an account): ``Тест operator`` → svc-test-operator-…"""
    latin = "".join(_LATIN.get(ch, ch) for ch in name.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:40].strip("-")
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"svc-{slug}-{digest}" if slug else f"svc-{digest}"


class TokenStore:
    def __init__(
        self,
        pool: ConnectionPool,
        access: AccessService,
        clock: Callable[[], datetime],
        timezone: str,
        executor_unit: ExecutorUnit | None = None,
    ) -> None:
        self.pool = pool
        self.access = access
        self.queries = AccessQueries(pool)
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.executor_unit = executor_unit
        # what this process does after it changed access itself (the token cache forgets)
        self.on_change: Callable[[], None] = lambda: None

    def authenticate(self, token: str) -> Actor | None:
        found = self.lookup(token)
        return found[0] if found is not None else None

    def lookup(self, token: str) -> tuple[Actor, datetime | None] | None:
        """The token's actor and its expiry (what ``infra.token_cache`` keeps), or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        now = self.clock()
        with self.pool.connection() as conn:
            row = conn.execute(
                _AUTHENTICATE, (bytes.fromhex(secret_hash(token)), now), prepare=True
            ).fetchone()
            if row is None:
                return None
            token_id, last_used = row[0], row[5]
            if last_used is None or now - last_used >= LAST_USE_GRANULARITY:
                conn.execute(
                    "UPDATE api_tokens SET last_used_at = %s WHERE id = %s"
                    " AND (last_used_at IS NULL OR last_used_at <= %s)",
                    (now, token_id, now - LAST_USE_GRANULARITY),
                    prepare=True,
                )
        role = Role(row[2])
        if row[4] is None:  # made before accounts: acts as it always did
            return Actor(id=str(token_id), name=row[1], role=role, department=row[3]), row[9]
        unit = self._unit(row[7], row[8], now) if role is Role.EXECUTOR else None
        return Actor(id=row[4], name=row[6], role=role, department=unit), row[9]

    def _unit(self, person_id: str | None, recorded: str | None, now: datetime) -> str | None:
        """The directory's unit of the person's executor position today, else the account's."""
        if person_id is not None and self.executor_unit is not None:
            found = self.executor_unit(person_id, now.astimezone(self.zone).date())
            if found is not None:
                return found
        return recorded

    def service_account(self, *, role: Role, name: str, unit_id: str | None = None) -> str:
        """The service account for ``name`` holding ``role`` (opened or given the role, bound to
        ``unit_id`` when one is named), by the command line."""
        if role is Role.EXECUTOR and not unit_id:
            raise ValueError("an executor's token needs the unit (department) it acts for")
        account_id = service_account_id(name)
        account = self.access.account(account_id)
        if account is None:
            opened = OpenAccount(account_id=account_id, name=name, roles=(role,), unit_id=unit_id)
            self.access.open(opened, actor=CLI_ACTOR)
        elif role not in account.roles or (unit_id and unit_id != account.unit_id):
            change = ChangeRoles(
                roles=tuple(dict.fromkeys((*account.roles, role))),
                unit_id=unit_id or account.unit_id,
            )
            self.access.change_roles(account_id, change, actor=CLI_ACTOR)
        return account_id

    def issue(
        self,
        *,
        role: Role,
        name: str,
        department: str | None = None,
        lifetime_seconds: int | None = None,
    ) -> IssuedToken:
        """A token of ``name``'s service account, acting as ``role`` (``otklik token create``)."""
        account_id = self.service_account(role=role, name=name, unit_id=department)
        return self.access.issue(
            account_id, name=name, role=role, actor=CLI_ACTOR, lifetime_seconds=lifetime_seconds
        )

    def create(self, *, role: Role, name: str, department: str | None = None) -> tuple[str, Actor]:
        """The secret of a new token and the actor it acts as."""
        issued = self.issue(role=role, name=name, department=department)
        unit = issued.account.unit_id if role is Role.EXECUTOR else None
        actor = Actor(id=issued.account.account_id, role=role, name=name, department=unit)
        return issued.secret, actor

    def revoke(self, token_id: UUID, *, actor: Actor = CLI_ACTOR) -> bool:
        """End a token: an event on its account's stream, or, for one made before accounts, its
        row (its making was never an event either). False: no such token, or already ended."""
        owner = self.queries.owner(token_id)
        if owner is None:
            return False
        if owner == NO_OWNER:
            with self.pool.connection() as conn:
                cur = conn.execute(
                    "UPDATE api_tokens SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
                    (self.clock(), token_id),
                )
                revoked = cur.rowcount == 1
                notify_access_changed(cur)  # the serving processes forget their tokens
            self.on_change()
            return revoked
        token = self.access.account(owner)
        found = token.token(token_id) if token is not None else None
        if found is None or found.revoked_at is not None:
            return False
        self.access.revoke(owner, token_id, actor=actor)
        return True
