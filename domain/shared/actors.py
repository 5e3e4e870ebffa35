"""Who acts: roles of the control centre and the actor recorded on every event."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

import msgspec


class Role(StrEnum):
    CURATOR = "curator"  # куратор
    HEAD = "head"  # руководитель МЦУ
    ADMINISTRATOR = "administrator"
    OPERATOR = "operator"  # специалист по обратной связи
    EXECUTOR = "executor"  # ответственный исполнитель подразделения
    AUDITOR = "auditor"
    ANALYST = "analyst"
    SYSTEM = "system"  # the deadline watcher and other automatic processes
    # issue 17: the citizen rating the answer through a signed link (no account, no token); the
    # actor's id is ``citizen:<appeal id>`` and the role may only rate that appeal's answer
    CITIZEN = "citizen"
    # issue 18: the administrator who answers for information protection (erasures, keys)
    SECURITY_ADMIN = "security_admin"


class Actor(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The person or process behind an event. ``id`` is the token's principal id; for the citizen
    rating an answer (``Role.CITIZEN``), ``citizen:<appeal id>`` and no name of theirs."""

    id: str
    role: Role
    name: str
    department: str | None = None


CITIZEN_PREFIX = "citizen:"
# The actor of an imported history's facts, ``import:<profile>``: acts the source system did.
IMPORT_PREFIX = "import:"


def is_imported(actor: Actor) -> bool:
    """Whether ``actor`` recorded an imported history (its acts happened at the source)."""
    return actor.id.startswith(IMPORT_PREFIX)


def citizen_actor(appeal_id: UUID) -> Actor:
    """The citizen of one appeal, as the actor of what they do through a signed link: named by
    the appeal, never by their own name (personal data stays in the appeal's receipt)."""
    return Actor(id=f"{CITIZEN_PREFIX}{appeal_id}", role=Role.CITIZEN, name="Заявитель")


def within_department(actor: Actor, department: str | None) -> bool:
    """The department rule, stated once: a department executor acts on and reads only the
    appeals and deadlines of their own department (``department``: the appeal's, or the one a
    list asks for); every other role, any department's."""
    return actor.role is not Role.EXECUTOR or department == actor.department


# Roles allowed to read citizens' personal data (152-ФЗ: only those who need it to answer).
PERSONAL_DATA_READERS = frozenset({Role.OPERATOR, Role.EXECUTOR, Role.CURATOR, Role.HEAD})
# Roles that may read appeals at all (the public sees aggregates only).
STAFF_READERS = frozenset(
    {Role.OPERATOR, Role.EXECUTOR, Role.CURATOR, Role.HEAD, Role.AUDITOR, Role.ANALYST}
)
# Roles that read appeals' full histories: auditors and the head (any appeal), department
# executors (their department's appeals).
HISTORY_READERS = frozenset({Role.AUDITOR, Role.HEAD, Role.EXECUTOR})
# Roles that read the audit records themselves (who read personal data, the ledger).
AUDIT_READERS = frozenset({Role.AUDITOR, Role.HEAD})
