"""A mapping profile: which column of an export holds which fact, how its dates are written,
how its statuses and channels read in our vocabulary. Profiles are data (TOML files in
``profiles/``, or any file an administrator adapts); ``docs/imports.md`` describes the format."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Literal

import msgspec

from domain.appeals.vocabulary import CHANNELS_BY_KIND, Channel, Kind

PROFILES = Path(__file__).resolve().parent / "profiles"


class Stage(StrEnum):
    """How far a row's appeal went, as its status says."""

    OPEN = "open"  # received (registered, assigned): nothing answered yet
    ANSWERED = "answered"  # the answer given, the appeal not closed
    CLOSED = "closed"  # answered and closed
    WITHDRAWN = "withdrawn"  # closed as withdrawn by the citizen, without an answer


class Columns(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The export's column names for each fact (None: the export has no such column)."""

    external_id: str
    received_at: str
    text: str
    external_url: str | None = None  # an incident's post URL (else the external id is recorded)
    channel: str | None = None
    registered_at: str | None = None
    registration_number: str | None = None
    assigned_at: str | None = None
    answered_at: str | None = None
    closed_at: str | None = None
    target: str | None = None  # the source's deadline for the answer
    status: str | None = None
    department: str | None = None
    topic: str | None = None
    subtopic: str | None = None
    answer_text: str | None = None
    citizen_name: str | None = None
    citizen_phone: str | None = None
    citizen_email: str | None = None
    citizen_address: str | None = None
    address: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    network: str | None = None  # recorded as a tag of the categorisation
    reach: str | None = None  # recorded as a tag of the categorisation (a whole number)


class Profile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    title: str
    # the channel part of the idempotency principal (``intake:<source>``): a live connector of
    # the same platform uses the same one, so an item imported and received live is one appeal
    source: str
    channel: Channel  # when the export has no channel column (or its value is empty)
    timezone: str  # the zone of the export's times written without an offset
    columns: Columns
    datetime_formats: tuple[str, ...] = ()  # strptime formats tried in order, then ISO 8601
    date_formats: tuple[str, ...] = ()  # a date alone (a target day: on time until its end)
    judge_on_time_by: Literal["source", "policy"] = "policy"
    register_at_receipt: bool = True  # no registration time: registered when received
    municipality: str | None = None
    default_topic: str | None = None  # an unknown topic takes this code (None: a row error)
    statuses: dict[str, Stage] = {}  # the source's status → how far the appeal went
    channels: dict[str, Channel] = {}  # the source's channel value → our channel
    answer_text: str = "Ответ дан в системе-источнике (запись импортирована)."
    closed_statuses_need_time: bool = True

    @property
    def kind(self) -> Kind:
        return kind_of(self.channel)


def kind_of(channel: Channel) -> Kind:
    return next(k for k, channels in CHANNELS_BY_KIND.items() if channel in channels)


class ProfileError(ValueError):
    """A profile file that cannot be read (the message names the file and the rule)."""


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name (``pos``), or a profile file an administrator adapted."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILES.glob("*.toml")))
        raise ProfileError(f"no such profile; the shipped ones are: {known}")
    try:
        return msgspec.convert(tomllib.loads(path.read_text("utf-8")), Profile)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as error:
        raise ProfileError(f"the profile {path.name} cannot be read: {error}") from None
