"""Who acts: roles of the control centre and the actor recorded on every event."""

from __future__ import annotations

from enum import StrEnum

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


class Actor(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The person or process behind an event. ``id`` is the token's principal id, never a citizen."""

    id: str
    role: Role
    name: str
    department: str | None = None


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
