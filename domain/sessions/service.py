"""The body, its sessions, tasks, polls and publications through the one command handler: a
decider per kind of stream, and the loads the API reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import Application

from domain.organisation.directory import Directory
from domain.sessions import body as body_stream
from domain.sessions import commands as cmd
from domain.sessions import decide as session_rules
from domain.sessions import feedback, tasks
from domain.sessions.events import BODY, BodyEvent, SessionEvent
from domain.sessions.session import SessionState, Stage, evolve
from domain.sessions.statute import DEFAULT_STATUTE
from domain.sessions.task_events import TaskEvent
from domain.shared.actors import Actor
from domain.shared.errors import NotFound
from domain.shared.handler import (
    CommandHandler,
    Decider,
    Decision,
    IdempotencyClaim,
    RecordedEvent,
    Written,
)
from domain.sla.calendar import ProductionCalendar


class SessionsService:
    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        directory: Callable[[], Directory],
        calendar: Callable[[], ProductionCalendar],
        timezone: str,
        statute: str = DEFAULT_STATUTE,
    ) -> None:
        self.handler = CommandHandler(store, clock)
        self.directory = directory
        self.calendar = calendar
        self.timezone = timezone
        self.statute = statute
        self.body_decider: Decider[body_stream.BodyState, cmd.BodyCommand, BodyEvent] = Decider(
            name="body", events=BodyEvent, evolve=body_stream.evolve, decide=self._decide_body
        )
        self.session_decider: Decider[SessionState, cmd.SessionCommand, SessionEvent] = Decider(
            name="session", events=SessionEvent, evolve=evolve, decide=self._decide_session
        )
        self.task_decider: Decider[tasks.TaskState, tasks.TaskCommand, TaskEvent] = Decider(
            name="task", events=TaskEvent, evolve=tasks.evolve, decide=self._decide_task
        )
        self.poll_decider: Decider[feedback.PollState, feedback.ImportPoll, feedback.PollEvent] = (
            Decider(
                name="poll",
                events=feedback.PollEvent,
                evolve=feedback.evolve_poll,
                decide=lambda s, c, d: feedback.decide_poll(
                    s, c, actor=d.actor, now=d.now, stream=d.stream_id
                ),
            )
        )
        self.publication_decider: Decider[
            feedback.PublicationState,
            feedback.RecordPublication | feedback.ImportReach,
            feedback.PublicationEvent,
        ] = Decider(
            name="publication",
            events=feedback.PublicationEvent,
            evolve=feedback.evolve_publication,
            decide=lambda s, c, d: feedback.decide_publication(
                s, c, actor=d.actor, now=d.now, stream=d.stream_id
            ),
        )

    # --- reads -------------------------------------------------------------------------------

    def body(self) -> body_stream.BodyState:
        return self.handler.load(self.body_decider, BODY).state or body_stream.BodyState()

    def session(self, session_id: UUID) -> SessionState | None:
        return self.handler.load(self.session_decider, session_id).state

    def task(self, task_id: UUID) -> tasks.TaskState | None:
        return self.handler.load(self.task_decider, task_id).state

    def poll(self, poll_id: UUID) -> feedback.PollState | None:
        return self.handler.load(self.poll_decider, poll_id).state

    def publication(self, publication_id: UUID) -> feedback.PublicationState | None:
        return self.handler.load(self.publication_decider, publication_id).state

    def history(self, session_id: UUID) -> list[RecordedEvent[SessionEvent]]:
        found = self.handler.read(SessionEvent, session_id, missing="there is no such session")
        if not found:
            raise NotFound("there is no such session")
        return found

    def task_history(self, task_id: UUID) -> list[RecordedEvent[TaskEvent]]:
        found = self.handler.read(TaskEvent, task_id, missing="there is no such task")
        if not found:
            raise NotFound("there is no such task")
        return found

    # --- commands ----------------------------------------------------------------------------

    def change_body(
        self, command: cmd.BodyCommand, *, actor: Actor, expected_version: int | None = None
    ) -> Written[body_stream.BodyState]:
        return self.handler.handle(
            self.body_decider,
            BODY,
            command,
            actor=actor,
            expected_version=expected_version,
            must_exist=False,
        )

    def schedule(
        self,
        command: cmd.ScheduleSession,
        *,
        actor: Actor,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[SessionState]:
        for item in command.agenda:
            self._require_polls(item.cites.polls)
        return self.handler.handle(
            self.session_decider,
            uuid.uuid4(),
            command,
            actor=actor,
            new=True,
            idempotency=idempotency,
        )

    def act(
        self,
        session_id: UUID,
        command: cmd.SessionCommand,
        *,
        actor: Actor,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[SessionState]:
        return self.handler.handle(
            self.session_decider,
            session_id,
            command,
            actor=actor,
            expected_version=expected_version,
            idempotency=idempotency,
        )

    def set_task(
        self,
        command: tasks.SetTask,
        *,
        actor: Actor,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[tasks.TaskState]:
        self._require_polls(command.cites.polls)
        return self.handler.handle(
            self.task_decider, uuid.uuid4(), command, actor=actor, new=True, idempotency=idempotency
        )

    def act_on_task(
        self,
        task_id: UUID,
        command: tasks.TaskCommand,
        *,
        actor: Actor,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[tasks.TaskState]:
        return self.handler.handle(
            self.task_decider,
            task_id,
            command,
            actor=actor,
            expected_version=expected_version,
            idempotency=idempotency,
        )

    def import_poll(
        self, command: feedback.ImportPoll, *, actor: Actor
    ) -> Written[feedback.PollState]:
        stream = feedback.poll_id(command.platform, command.external_id)
        return self.handler.handle(
            self.poll_decider, stream, command, actor=actor, must_exist=False
        )

    def record_publication(
        self,
        command: feedback.RecordPublication,
        *,
        actor: Actor,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[feedback.PublicationState]:
        return self.handler.handle(
            self.publication_decider,
            uuid.uuid4(),
            command,
            actor=actor,
            new=True,
            idempotency=idempotency,
        )

    def import_reach(
        self,
        publication_id: UUID,
        command: feedback.ImportReach,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[feedback.PublicationState]:
        return self.handler.handle(
            self.publication_decider,
            publication_id,
            command,
            actor=actor,
            expected_version=expected_version,
        )

    # --- deciders ----------------------------------------------------------------------------

    def _require_polls(self, polls: tuple[UUID, ...]) -> None:
        for each in polls:
            if self.poll(each) is None:
                raise NotFound("a cited poll is not imported")

    def _signed(self, session_id: UUID) -> bool:
        state = self.session(session_id)
        return state is not None and state.stage in (Stage.SIGNED, Stage.PUBLISHED)

    def _decide_body(
        self, state: body_stream.BodyState | None, command: cmd.BodyCommand, d: Decision
    ) -> list[BodyEvent]:
        return body_stream.decide(
            state,
            command,
            actor=d.actor,
            now=d.now,
            directory=self.directory(),
            protocol_signed=self._signed,
        )

    def _decide_session(
        self, state: SessionState | None, command: cmd.SessionCommand, d: Decision
    ) -> list[SessionEvent]:
        return session_rules.decide(
            state,
            command,
            actor=d.actor,
            now=d.now,
            session_id=d.stream_id,
            composition_on=self.body().composition_on,
            statute=self.statute,
        )

    def _decide_task(
        self, state: tasks.TaskState | None, command: tasks.TaskCommand, d: Decision
    ) -> list[TaskEvent]:
        world = tasks.TaskWorld(
            directory=self.directory(),
            calendar=self.calendar(),
            timezone=self.timezone,
            session=self.session,
        )
        return tasks.decide(
            state, command, actor=d.actor, now=d.now, task_id=d.stream_id, world=world
        )


def payload_of(event: Any) -> dict[str, Any]:
    """An event's own fields, without the envelope (for histories)."""
    skip = {"originator_id", "originator_version", "timestamp", "occurred_at", "actor"}
    return {k: v for k, v in msgspec.to_builtins(event).items() if k not in skip}
