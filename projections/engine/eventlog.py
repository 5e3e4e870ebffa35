"""Reading the notification log: its head, raw batches in order (gap-free: the event store
appends under a table lock), and decoding each batch once for every build that wants it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.failures import Undecodable, describe
from projections.engine.model import Event, Projection

Decoder = Callable[[str, bytes], Any]
TopicDecoders = Callable[[str], Callable[[bytes], Any]]  # a decoder's optional ``for_topic``
Row = tuple[int, str, bytes]  # position, stored topic, bytes


def head_in(conn: psycopg.Connection[Any], events_table: str) -> int:
    """The last position in the log, read on ``conn`` (inside the caller's transaction)."""
    row = conn.execute(
        sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(
            sql.Identifier(events_table)
        )
    ).fetchone()
    return int(row[0]) if row else 0


class EventLog:
    def __init__(self, pool: ConnectionPool, events_table: str, decode: Decoder) -> None:
        self.pool = pool
        self.events_table = events_table
        self.decode = decode
        self._by_topic: dict[str, tuple[str, Callable[[bytes], Any]]] = {}

    def head(self) -> int:
        with self.pool.connection() as conn:
            return head_in(conn, self.events_table)

    def read(self, after: int, limit: int) -> list[Row]:
        """Raw rows after ``after``, at most ``limit``; fewer than ``limit`` means the head of
        the log was reached."""
        query = sql.SQL(
            "SELECT notification_id, topic, state FROM {} WHERE notification_id > %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(sql.Identifier(self.events_table))
        with self.pool.connection() as conn, conn.cursor(binary=True) as cur:
            cur.execute(query, (after, limit))
            return cur.fetchall()

    def decoded(self, rows: Sequence[Row], wanting: Sequence[Projection]) -> list[Event]:
        """The batch's events that at least one of ``wanting`` handles, each decoded once. Raw
        projections (they read the stored rows themselves) need every position but no decoding:
        their events carry ``event=None`` unless another build of the group wants that type. An
        event the code cannot decode becomes ``Undecodable``: it fails the builds that want it,
        at its position."""
        raw = any(getattr(p, "raw", False) for p in wanting)
        wanted = _topics(wanting)
        by_topic = self._by_topic
        events = []
        for position, topic, data in rows:
            known = by_topic.get(topic)
            if known is None:
                known = by_topic[topic] = self._topic(topic)
            name, decode = known
            if wanted is None or name in wanted:
                try:
                    event = decode(data)
                except Exception as error:
                    event = Undecodable(describe(error))
                events.append(Event(position=position, topic=name, event=event))
            elif raw:
                events.append(Event(position=position, topic=name, event=None))
        return events

    def _topic(self, topic: str) -> tuple[str, Callable[[bytes], Any]]:
        """A stored topic's event type name and its decoder of the bytes alone (the decoder's
        ``for_topic`` where it has one: done once per topic, not per event)."""
        for_topic: TopicDecoders | None = getattr(self.decode, "for_topic", None)
        decode = for_topic(topic) if for_topic is not None else partial(self.decode, topic)
        return topic.partition("@")[0], decode


def _topics(wanting: Sequence[Projection]) -> set[str] | None:
    """The event types some non-raw projection handles (None: every type)."""
    wanted: set[str] = set()
    for projection in wanting:
        if getattr(projection, "raw", False):
            continue
        if projection.topics is None:
            return None
        wanted |= projection.topics
    return wanted


def select(projection: Projection, events: list[Event], after: int) -> list[Event]:
    """The events after ``after`` that ``projection`` handles."""
    if events and events[0].position <= after:
        events = [e for e in events if e.position > after]
    wanted = projection.topics
    if wanted is not None:
        events = [e for e in events if e.topic in wanted]
    return events
