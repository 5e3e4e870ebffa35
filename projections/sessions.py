"""The МЦУ's views: one row per session (stage, chair, decisions), per task (unit or person,
deadline, status, breaches), per poll and per publication (with its latest reach)."""

from __future__ import annotations

from typing import Any

from domain.sessions import feedback
from domain.sessions.events import SESSION_EVENT_TYPES, SessionEvent
from domain.sessions.session import SessionState
from domain.sessions.session import evolve as evolve_session
from domain.sessions.task_events import TASK_EVENT_TYPES, TaskEvent
from domain.sessions.tasks import TaskState
from domain.sessions.tasks import evolve as evolve_task
from projections.engine.fold import fold_batch
from projections.engine.model import Batch

SESSION_COLUMNS = (
    "session_id", "held_on", "format", "stage", "chair", "items", "adopted", "rejected",
    "taking_part", "members", "protocol_number", "version",
)  # fmt: skip
TASK_COLUMNS = (
    "task_id", "session_id", "item", "text", "unit_id", "person_id", "due", "due_at", "status",
    "set_at", "reported_at", "done_at", "breaches", "last_breached_due", "escalated_to",
    "extensions", "hot_topic", "version",
)  # fmt: skip
POLL_COLUMNS = (
    "poll_id", "platform", "title", "area", "period_from", "period_to", "hot_topic", "answers",
)  # fmt: skip
PUBLICATION_COLUMNS = (
    "publication_id", "kind", "channel", "url", "title", "published_at", "hot_topic",
    "session_id", "claim_id", "reach", "views", "measured_at",
)  # fmt: skip


def session_row(s: SessionState) -> tuple[Any, ...]:
    adopted = sum(1 for o in s.outcomes if o.adopted)
    return (
        s.id, s.held_on, s.format.value, s.stage.value, s.chair, len(s.agenda), adopted,
        len(s.outcomes) - adopted, len(s.taking_part), len(s.composition.everyone),
        s.protocol_number, s.version,
    )  # fmt: skip


def task_row(t: TaskState) -> tuple[Any, ...]:
    return (
        t.id, t.session_id, t.item, t.text, t.unit_id, t.person_id, t.due, t.due_at,
        t.status.value, t.set_at, t.reported_at, t.done_at, len(t.breaches),
        t.breaches[-1] if t.breaches else None, t.escalated_to, t.extensions, t.cites.hot_topic,
        t.version,
    )  # fmt: skip


def poll_row(p: feedback.PollState) -> tuple[Any, ...]:
    e = p.imported
    answers = sum(o.count for q in e.questions[:1] for o in q.options)
    return (p.id, e.platform, e.title, e.area, e.period_from, e.period_to, e.hot_topic, answers)


def publication_row(p: feedback.PublicationState) -> tuple[Any, ...]:
    r = p.recorded
    return (
        p.id, r.kind.value, r.channel, r.url, r.title, r.published_at, r.hot_topic, r.session_id,
        r.claim_id, p.reach, p.views, p.measured_at,
    )  # fmt: skip


class SessionsProjection:
    name = "mcu_sessions"
    version = 1
    topics = frozenset(
        cls.__name__
        for cls in (
            *SESSION_EVENT_TYPES,
            *TASK_EVENT_TYPES,
            *feedback.POLL_EVENT_TYPES,
            *feedback.PUBLICATION_EVENT_TYPES,
        )
    )
    tables = ("mcu_sessions", "mcu_tasks", "mcu_polls", "mcu_publications")
    ddl = """
        CREATE TABLE {mcu_sessions} (
            session_id uuid PRIMARY KEY, held_on date NOT NULL, format text NOT NULL,
            stage text NOT NULL, chair text, items integer NOT NULL, adopted integer NOT NULL,
            rejected integer NOT NULL, taking_part integer NOT NULL, members integer NOT NULL,
            protocol_number text, version integer NOT NULL
        );
        CREATE TABLE {mcu_tasks} (
            task_id uuid PRIMARY KEY, session_id uuid NOT NULL, item integer NOT NULL,
            text text NOT NULL, unit_id text, person_id text, due date NOT NULL,
            due_at timestamptz NOT NULL, status text NOT NULL, set_at timestamptz NOT NULL,
            reported_at timestamptz, done_at timestamptz, breaches integer NOT NULL,
            last_breached_due timestamptz, escalated_to text, extensions integer NOT NULL,
            hot_topic text, version integer NOT NULL
        );
        CREATE TABLE {mcu_polls} (
            poll_id uuid PRIMARY KEY, platform text NOT NULL, title text NOT NULL,
            area text NOT NULL, period_from date NOT NULL, period_to date NOT NULL,
            hot_topic text, answers bigint NOT NULL
        );
        CREATE TABLE {mcu_publications} (
            publication_id uuid PRIMARY KEY, kind text NOT NULL, channel text NOT NULL,
            url text NOT NULL, title text NOT NULL, published_at timestamptz NOT NULL,
            hot_topic text, session_id uuid, claim_id uuid, reach bigint NOT NULL,
            views bigint NOT NULL, measured_at timestamptz
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {mcu_tasks}_session ON {mcu_tasks} (session_id, item);
        CREATE INDEX IF NOT EXISTS {mcu_tasks}_unit ON {mcu_tasks} (unit_id, status, due_at);
        CREATE INDEX IF NOT EXISTS {mcu_sessions}_held ON {mcu_sessions} (held_on);
    """

    def apply(self, batch: Batch) -> None:
        for kind, evolve, table, columns, row, key in (
            (
                SessionEvent,
                evolve_session,
                "mcu_sessions",
                SESSION_COLUMNS,
                session_row,
                "session_id",
            ),
            (TaskEvent, evolve_task, "mcu_tasks", TASK_COLUMNS, task_row, "task_id"),
            (
                feedback.PollEvent,
                feedback.evolve_poll,
                "mcu_polls",
                POLL_COLUMNS,
                poll_row,
                "poll_id",
            ),
            (
                feedback.PublicationEvent,
                feedback.evolve_publication,
                "mcu_publications",
                PUBLICATION_COLUMNS,
                publication_row,
                "publication_id",
            ),
        ):
            touched: dict[Any, tuple[Any, int]] = fold_batch(batch, kind, evolve)
            if touched:
                rows = (row(state) for state, _ in touched.values())
                batch.upsert(table, columns, rows, key=(key,))
