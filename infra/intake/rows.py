"""A row of an export read through its profile: the facts it states, each checked on its own
(a date that reads, a unit the directory has, a topic the rubricator has, a status the profile
knows, times in the order of the appeal's life). A broken cell is a ``RowError`` naming the
column and the rule, never the value."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind
from domain.organisation.directory import Directory
from domain.organisation.lookup import resolve
from domain.rubricator.state import Rubricator
from domain.shared.errors import DomainError
from infra.intake import cells
from infra.intake.cells import CellRefused, Moments, number_of, text_of, whole_of
from infra.intake.profile import Profile, Stage, kind_of
from infra.intake.reading import NOT_AN_OBJECT, Row

In = TypeVar("In", cmd.CitizenContactInput, cmd.PlaceInput)


class RowError(Exception):
    """A row breaks a rule: the column (as the file names it; "" for the row as a whole)."""

    def __init__(self, column: str, rule: str) -> None:
        super().__init__(rule)
        self.column = column
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Record:
    """What one row states, read and checked."""

    external_id: str
    reference: str  # what the appeal records as its external id (an incident's post URL)
    kind: Kind
    channel: Channel
    received_at: datetime
    text: str
    citizen: cmd.CitizenContactInput | None
    place: cmd.PlaceInput | None
    stage: Stage
    registered_at: datetime | None = None
    registration_number: str | None = None
    assigned_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    target: datetime | None = None
    unit: str | None = None
    topic: str | None = None
    subtopic: str | None = None
    answer_text: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Of the receipt's facts only: later facts may change between two exports."""
        receipt = (self.reference, self.channel, self.received_at, self.text)
        encoded = msgspec.json.encode((receipt, self.citizen, self.place))
        return hashlib.sha256(encoded).hexdigest()[:32]


# The order of an appeal's life: each given time is not before the ones above it.
_ORDER = ("received_at", "registered_at", "assigned_at", "answered_at", "closed_at")


class RowReader:
    """Reads rows through a profile, resolving units and topics once per distinct value."""

    def __init__(
        self, profile: Profile, directory: Directory | None, rubricator: Rubricator | None
    ) -> None:
        self.profile = profile
        self.columns = profile.columns
        self.directory = directory
        self.rubricator = rubricator
        self.moments = Moments(profile.timezone, profile.datetime_formats, profile.date_formats)
        self._units: dict[str, str | None] = {}
        self._topics: dict[str, str | None] = {}

    def read(self, row: Row) -> Record:
        if NOT_AN_OBJECT in row:
            raise RowError("", "the line is not a JSON object of plain values")
        c = self.columns
        external_id = self._required(row, c.external_id)
        channel = self._channel(row)
        times = {name: self._moment(row, getattr(c, name)) for name in _ORDER}
        received = times["received_at"]
        if received is None:
            raise RowError(c.received_at, "required")
        self._in_order(times)
        target = self._moment(row, c.target, deadline=True)
        if target is not None and target < received:
            raise RowError(c.target or "", "the deadline is before the receipt")
        stage = self._stage(row, times)
        reference = self._checked(row, c.external_url, cells.REFERENCE) or external_id
        self._checked(row, c.external_id, cells.REFERENCE)
        return Record(
            external_id=external_id,
            reference=reference,
            kind=kind_of(channel),
            channel=channel,
            received_at=received,
            text=self._checked(row, c.text, cells.TEXT) or self._required(row, c.text),
            citizen=self._citizen(row),
            place=self._place(row),
            stage=stage,
            registered_at=times["registered_at"],
            registration_number=self._checked(
                row, c.registration_number, cells.REGISTRATION_NUMBER
            ),
            assigned_at=times["assigned_at"],
            answered_at=times["answered_at"],
            closed_at=times["closed_at"],
            target=target,
            unit=self._unit(row),
            topic=self._topic(row, c.topic, self.profile.default_topic),
            subtopic=self._topic(row, c.subtopic, None),
            answer_text=self._checked(row, c.answer_text, cells.ANSWER),
            tags=self._tags(row),
        )

    # --- cells -------------------------------------------------------------------------------
    def _text(self, row: Row, column: str | None) -> str | None:
        return text_of(row.get(column)) if column else None

    def _checked(self, row: Row, column: str | None, kind: object) -> str | None:
        """The cell's text, checked against the input domain of the field it becomes."""
        value = self._text(row, column)
        if value is None:
            return None
        try:
            return cells.in_domain(value, kind)
        except CellRefused as refused:
            raise RowError(column or "", str(refused)) from None

    def _required(self, row: Row, column: str) -> str:
        value = self._text(row, column)
        if value is None:
            raise RowError(column, "required")
        return value

    def _moment(self, row: Row, column: str | None, *, deadline: bool = False) -> datetime | None:
        if column is None:
            return None
        try:
            return self.moments.read(row.get(column), deadline=deadline)
        except CellRefused as refused:
            raise RowError(column, str(refused)) from None

    def _in_order(self, times: dict[str, datetime | None]) -> None:
        latest: tuple[str, datetime] | None = None
        for name in _ORDER:
            moment = times[name]
            if moment is None:
                continue
            if latest is not None and moment < latest[1]:
                earlier = getattr(self.columns, latest[0])
                raise RowError(getattr(self.columns, name), f"out of order: before {earlier}")
            latest = (name, moment)

    def _channel(self, row: Row) -> Channel:
        column = self.columns.channel
        value = self._text(row, column) if column else None
        if value is None:
            return self.profile.channel
        channel = self.profile.channels.get(value)
        if channel is None:
            if kind_of(self.profile.channel) is Kind.INCIDENT:
                return self.profile.channel  # a network the profile does not name
            raise RowError(column or "", "not one of the profile's channels")
        return channel

    def _stage(self, row: Row, times: dict[str, datetime | None]) -> Stage:
        column = self.columns.status
        value = self._text(row, column) if column else None
        if value is None:
            if times["closed_at"] is not None:
                return Stage.CLOSED
            return Stage.ANSWERED if times["answered_at"] is not None else Stage.OPEN
        stage = self.profile.statuses.get(value)
        if stage is None:
            raise RowError(column or "", "not one of the profile's statuses")
        closing = self.columns.closed_at or ""
        if stage is Stage.OPEN and times["closed_at"] is not None:
            raise RowError(closing, "a closing time on a row whose status is open")
        if stage in (Stage.CLOSED, Stage.WITHDRAWN) and times["closed_at"] is None:
            raise RowError(closing, "required by a closed status")
        if stage is Stage.ANSWERED and times["answered_at"] is None:
            raise RowError(self.columns.answered_at or "", "required by an answered status")
        return stage

    def _unit(self, row: Row) -> str | None:
        column = self.columns.department
        value = self._text(row, column) if column else None
        if value is None or self.directory is None:
            return value
        if value not in self._units:
            self._units[value] = resolve(self.directory, value)
        unit = self._units[value]
        if unit is None:
            raise RowError(column or "", "not a unit of the directory (by id, name or alias)")
        return unit

    def _topic(self, row: Row, column: str | None, default: str | None) -> str | None:
        value = self._text(row, column) if column else None
        if value is None or self.rubricator is None:
            return value
        if value not in self._topics:
            rubricator = self.rubricator
            known = rubricator.entry(value) is not None
            self._topics[value] = value if known else rubricator.resolve(value)
        code = self._topics[value] or default
        if code is None:
            raise RowError(column or "", "not a topic of the rubricator (by code or name)")
        return code

    def _citizen(self, row: Row) -> cmd.CitizenContactInput | None:
        c = self.columns
        fields = {
            "full_name": self._text(row, c.citizen_name),
            "phone": self._text(row, c.citizen_phone),
            "email": self._text(row, c.citizen_email),
            "postal_address": self._text(row, c.citizen_address),
        }
        if not any(fields.values()):
            return None
        columns = {"full_name": c.citizen_name, "phone": c.citizen_phone}
        columns |= {"email": c.citizen_email, "postal_address": c.citizen_address}
        return _input(cmd.CitizenContactInput, fields, columns)

    def _place(self, row: Row) -> cmd.PlaceInput | None:
        c = self.columns
        try:
            latitude = number_of(row.get(c.latitude), -90, 90) if c.latitude else None
        except CellRefused as refused:
            raise RowError(c.latitude or "", str(refused)) from None
        try:
            longitude = number_of(row.get(c.longitude), -180, 180) if c.longitude else None
        except CellRefused as refused:
            raise RowError(c.longitude or "", str(refused)) from None
        address = self._text(row, c.address)
        if address is None and latitude is None and longitude is None:
            return None
        fields = {"address": address, "latitude": latitude, "longitude": longitude}
        columns = {"address": c.address, "latitude": c.latitude, "longitude": c.longitude}
        return _input(cmd.PlaceInput, fields, columns)

    def _tags(self, row: Row) -> tuple[str, ...]:
        c = self.columns
        tags = []
        network = self._text(row, c.network)
        if network is not None:
            tags.append(f"сеть:{network}"[:100])
        try:
            reach = whole_of(row.get(c.reach)) if c.reach else None
        except CellRefused as refused:
            raise RowError(c.reach or "", str(refused)) from None
        if reach is not None:
            tags.append(f"охват:{reach}")
        return tuple(tags)


def _input(kind: type[In], fields: Mapping[str, object], columns: Mapping[str, str | None]) -> In:
    """An input struct of ``fields``; a value outside the input domain is the column's error."""
    try:
        return kind(**fields)  # type: ignore[arg-type]
    except DomainError as refused:  # InputRefused: its message names the field, not the value
        field = next((f for f in columns if f"`{f}`" in refused.message), "")
        raise RowError(columns.get(field) or "", refused.message) from None
