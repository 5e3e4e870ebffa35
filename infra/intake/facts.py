"""A row's facts as the appeal's commands, decided through the domain in the order of its life
at the source's business times: received → (categorised) → registered → the source's deadline
→ assigned → answered (as the source answered: one fact) → closed. Against an appeal
imported before, only the facts it does not have yet; a recorded fact the row changes is an
error (an import adds to a history, it never rewrites one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.application import REGISTRATION_PREFIX
from domain.appeals.decide import decide
from domain.appeals.directory_routing import assignment
from domain.appeals.events import AppealEvent
from domain.appeals.source_commands import RecordSourceAnswer, RecordSourceDeadline
from domain.appeals.state import AppealState, evolve
from domain.appeals.topic_codes import categorisation
from domain.appeals.vocabulary import Outcome
from domain.organisation.directory import Directory
from domain.rubricator.state import Rubricator
from domain.shared.actors import Actor
from domain.shared.errors import DomainError
from domain.shared.inputs import derived
from domain.sla.clock import SlaClock
from infra.intake.profile import Profile, Stage
from infra.intake.rows import Record, RowError

Planned = tuple[str, cmd.Command]  # the column the fact comes from, and its command


class FactDecider:
    """Decides a row's facts on its appeal's state; ``number`` hands out registration numbers."""

    def __init__(
        self,
        profile: Profile,
        *,
        actor: Actor,
        now: datetime,
        policy: SlaClock,
        directory: Directory | None,
        rubricator: Rubricator | None,
        number: Callable[[], int],
    ) -> None:
        self.profile = profile
        self.columns = profile.columns
        self.actor = actor
        self.now = now
        self.policy = policy
        self.directory = directory
        self.rubricator = rubricator
        self.number = number
        self._assignments: dict[tuple[str, str | None, date], cmd.AssignAppeal] = {}
        self._categories: dict[tuple[str, str | None, str | None, date], cmd.CategoriseAppeal] = {}

    def decide(
        self, record: Record, state: AppealState | None, appeal_id: UUID
    ) -> tuple[AppealState | None, list[AppealEvent]]:
        """The row's new events and the state after them (all of them or a ``RowError``)."""
        events: list[AppealEvent] = []
        for column, command in self._plan(record, state):
            try:
                command = self._complete(state, command)
                decided = decide(
                    state,
                    command,
                    actor=self.actor,
                    now=self.now,
                    policy=self.policy,
                    appeal_id=appeal_id,
                )
            except DomainError as error:
                raise RowError(column, error.message) from None
            for event in decided:
                state = evolve(state, event)
            events.extend(decided)
        return state, events

    def _complete(self, state: AppealState | None, command: cmd.Command) -> cmd.Command:
        """What the API's handler fills in: the directory's unit, the rubricator's codes, the
        registration number (each as on the fact's own day)."""
        assert command.occurred_at is not None
        day = command.occurred_at.astimezone(self.policy.zone).date()
        if type(command) is cmd.AssignAppeal and self.directory is not None:
            key = (command.department, command.executor, day)
            known = self._assignments.get(key)  # a day's rows mostly go to a few units
            if known is None:
                known = self._assignments[key] = assignment(self.directory, command, day)
            with derived():
                return msgspec.structs.replace(known, occurred_at=command.occurred_at)
        if type(command) is cmd.CategoriseAppeal and self.rubricator is not None:
            assert state is not None
            topics = (command.topic, command.subtopic, state.municipality, day)
            coded = self._categories.get(topics)  # the rubricator's part, once a day and topic
            if coded is None:
                for code in (command.topic, command.subtopic):  # codes already (``rows``)
                    if code is not None and self.rubricator.entry(code, day) is None:
                        # refused here: the domain's refusal looks for the closest entries
                        raise DomainError("not a topic of the rubricator in force on that day")
                coded = categorisation(self.rubricator, state, command, day)
                self._categories[topics] = coded
            with derived():  # the rubricator's part and this command's own (checked) values
                return msgspec.structs.replace(
                    coded,
                    occurred_at=command.occurred_at,
                    essence=command.essence,
                    place=command.place,
                    tags=command.tags,
                )
        if type(command) is cmd.RegisterAppeal and command.registration_number is None:
            assert state is not None
            prefix = REGISTRATION_PREFIX[state.kind]
            year = command.occurred_at.astimezone(self.policy.zone).year
            number = f"{prefix}-{year}/{self.number():06d}"
            with derived():  # the number our sequence gave, in our format
                return cmd.RegisterAppeal(
                    occurred_at=command.occurred_at, registration_number=number
                )
        return command

    def _plan(self, r: Record, state: AppealState | None) -> Iterator[Planned]:
        c = self.columns
        if state is None:
            yield (
                c.received_at,
                cmd.ReceiveAppeal(
                    kind=r.kind,
                    channel=r.channel,
                    text=r.text,
                    external_id=r.reference,
                    citizen=r.citizen,
                    place=r.place,
                    municipality=self.profile.municipality,
                    occurred_at=r.received_at,
                ),
            )
        registered = r.registered_at or (
            r.received_at if self.profile.register_at_receipt else None
        )
        if r.topic is not None and (state is None or state.topic is None):
            yield (
                c.topic or "",
                cmd.CategoriseAppeal(
                    topic=r.topic,
                    subtopic=r.subtopic,
                    essence=r.text[:4000],
                    tags=r.tags,
                    occurred_at=registered or r.received_at,
                ),
            )
        yield from self._registration(r, state, registered)
        yield from self._routing(r, state, registered)
        yield from self._answer(r, state)

    def _registration(
        self, r: Record, state: AppealState | None, registered: datetime | None
    ) -> Iterator[Planned]:
        c = self.columns
        if state is None or state.registered_at is None:
            if registered is None:
                if r.unit is None and r.stage is Stage.OPEN:
                    return
                raise RowError(c.registered_at or "", "required before the later facts")
            yield (
                c.registered_at or c.received_at,
                cmd.RegisterAppeal(
                    registration_number=r.registration_number, occurred_at=registered
                ),
            )
        else:
            self._unchanged(c.registered_at, r.registered_at, state.registered_at)
        if r.target is not None and (state is None or state.source_answer_due is None):
            yield (
                c.target or "",
                RecordSourceDeadline(
                    due=r.target,
                    source=self.profile.source,
                    governs=self.profile.judge_on_time_by == "source",
                    occurred_at=registered,
                ),
            )

    def _routing(
        self, r: Record, state: AppealState | None, registered: datetime | None
    ) -> Iterator[Planned]:
        c = self.columns
        if r.unit is None:
            if r.stage in (Stage.ANSWERED, Stage.CLOSED) and (
                state is None or not state.department
            ):
                raise RowError(c.department or "", "required by an answer (it follows assignment)")
            return
        if state is not None and state.department is not None:
            if state.department != r.unit:
                raise RowError(c.department or "", "changes a fact imported before")
            self._unchanged(c.assigned_at, r.assigned_at, state.assigned_at)
            return
        yield (
            c.department or "",
            cmd.AssignAppeal(department=r.unit, occurred_at=r.assigned_at or registered),
        )

    def _answer(self, r: Record, state: AppealState | None) -> Iterator[Planned]:
        c = self.columns
        if r.stage in (Stage.ANSWERED, Stage.CLOSED):
            at = r.answered_at or r.closed_at
            column = c.answered_at or c.closed_at or ""
            if state is None or state.answer_published_at is None:
                text = r.answer_text or self.profile.answer_text
                yield (  # one fact, as the source knows it: answered (and delivered) then
                    column,
                    RecordSourceAnswer(text=text, source=self.profile.source, occurred_at=at),
                )
            else:
                self._unchanged(c.answered_at, r.answered_at, state.answer_published_at)
        if r.stage in (Stage.CLOSED, Stage.WITHDRAWN):
            if state is None or not state.is_closed:
                outcome = Outcome.ANSWERED if r.stage is Stage.CLOSED else Outcome.WITHDRAWN
                yield c.closed_at or "", cmd.CloseAppeal(outcome=outcome, occurred_at=r.closed_at)
            else:
                self._unchanged(c.closed_at, r.closed_at, state.closed_at)

    @staticmethod
    def _unchanged(column: str | None, given: datetime | None, recorded: datetime | None) -> None:
        if column is not None and given is not None and recorded is not None and given != recorded:
            raise RowError(column, "changes a fact imported before")
