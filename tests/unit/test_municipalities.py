"""One deployment, several municipalities: each appeal's deadlines count in its own
municipality's time zone, from receipt to the last extension, and say so in their provenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, ExtensionGround, Kind
from domain.shared.errors import InvalidCommand
from domain.sla.status import deadlines
from infra.settings import Settings
from tests.support.appeals import (
    ASSIGN,
    CATEGORISE,
    HEAD,
    POLICY,
    REGISTER,
    Scenario,
    receive,
)

REGION = msgspec.structs.replace(
    POLICY,
    municipality="moscow",
    municipalities={
        "moscow": "Europe/Moscow",
        "kaliningrad": "Europe/Kaliningrad",
        "ekaterinburg": "Asia/Yekaterinburg",
        "vladivostok": "Asia/Vladivostok",
    },
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def received(municipality: str | None, kind: Kind, channel: Channel, at: str) -> Scenario:
    scenario = Scenario(start=utc(at) - timedelta(minutes=5), policy=REGION)
    return scenario.given(receive(kind, channel, municipality=municipality))


# An incident's first reaction: 8 working hours (9:00–18:00, lunch 13–14, local time), received
# at one instant, Thursday 16 April 2026 06:00 UTC.
@pytest.mark.parametrize(
    ("municipality", "local_receipt", "due_utc"),
    [
        # 08:00 local: the whole Thursday → Thursday 18:00 local
        ("kaliningrad", "2026-04-16T08:00:00+02:00", "2026-04-16T16:00:00"),
        # 09:00 local: the whole Thursday → Thursday 18:00 local
        ("moscow", "2026-04-16T09:00:00+03:00", "2026-04-16T15:00:00"),
        # 11:00 local: 6 hours on Thursday, 2 on Friday → Friday 11:00 local
        ("ekaterinburg", "2026-04-16T11:00:00+05:00", "2026-04-17T06:00:00"),
        # 16:00 local: 2 hours on Thursday, 6 on Friday → Friday 16:00 local
        ("vladivostok", "2026-04-16T16:00:00+10:00", "2026-04-17T06:00:00"),
        # no municipality named: the deployment's default (Moscow)
        (None, "2026-04-16T09:00:00+03:00", "2026-04-16T15:00:00"),
    ],
)
def test_working_hours_are_local_to_the_appeals_municipality(
    municipality: str | None, local_receipt: str, due_utc: str
) -> None:
    scenario = received(municipality, Kind.INCIDENT, Channel.VK, "2026-04-16T06:00:00")
    event = scenario.events[0]
    assert isinstance(event, ev.AppealReceived)
    zone = REGION.for_municipality(municipality).timezone
    assert (event.municipality, event.timezone) == (municipality or "moscow", zone)
    assert event.occurred_at == utc("2026-04-16T06:00:00")
    assert event.occurred_at.astimezone(scenario.policy.for_municipality(municipality).zone) == (
        datetime.fromisoformat(local_receipt)
    )
    reaction = next(d for d in event.deadlines if d.deadline is Deadline.FIRST_REACTION)
    assert reaction.due == utc(due_utc)
    assert reaction.provenance.timezone == zone


def test_a_calendar_day_deadline_counts_from_the_local_day() -> None:
    """Registered at one instant, 20:30 UTC on Wednesday 22 April 2026: still Wednesday in
    Moscow (23:30), already Thursday in Vladivostok (06:30). 30 days from the day after:
    Moscow — Friday 22 May, end of day; Vladivostok — Saturday 23 May, a day off, rolls to
    Monday 25 May, end of day local (14:00 UTC)."""
    due = {}
    for municipality in ("moscow", "vladivostok"):
        scenario = received(municipality, Kind.APPEAL, Channel.EMAIL, "2026-04-22T20:00:00")
        scenario.given(REGISTER, after=timedelta(minutes=30))
        registered = scenario.events[-1]
        assert isinstance(registered, ev.AppealRegistered)
        due[municipality] = registered.answer_due
        answer = next(d for d in registered.deadlines if d.deadline is Deadline.ANSWER)
        assert answer.provenance.timezone == REGION.municipalities[municipality]
    assert due == {"moscow": utc("2026-05-22T21:00:00"), "vladivostok": utc("2026-05-25T14:00:00")}


def test_an_extension_keeps_counting_in_the_appeals_own_zone() -> None:
    scenario = received("vladivostok", Kind.APPEAL, Channel.EMAIL, "2026-04-22T20:00:00")
    scenario.given(REGISTER, CATEGORISE, ASSIGN, after=timedelta(minutes=30))
    scenario.given(
        cmd.ExtendDeadline(
            days=30,
            ground=ExtensionGround.EXCEPTIONAL_CASE,
            reason="Запрос в ведомство",
            citizen_notified_at=scenario.now,
        ),
        actor=HEAD,
    )
    extended = scenario.events[-1]
    assert isinstance(extended, ev.DeadlineExtended)
    # 25 May + 30 days = 24 June (Wednesday), end of day in Vladivostok
    assert extended.new_due == utc("2026-06-24T14:00:00")
    assert all(d.provenance.timezone == "Asia/Vladivostok" for d in extended.deadlines)


def test_the_sla_view_gives_local_times_with_the_municipalitys_offset() -> None:
    scenario = received("ekaterinburg", Kind.INCIDENT, Channel.VK, "2026-04-16T06:00:00")
    views = deadlines(
        scenario.events,
        now=utc("2026-04-16T12:00:00"),  # 17:00 in Yekaterinburg: 1 working hour left today
        calendar=REGION.calendar,
        timezone=REGION.timezone,  # the deployment's default: the appeal's own zone wins
    )
    reaction = next(v for v in views if v.deadline is Deadline.FIRST_REACTION)
    assert reaction.due_local.isoformat() == "2026-04-17T11:00:00+05:00"
    assert reaction.time_left is not None and reaction.time_left.amount == 3.0  # 1 + 2 hours


def test_an_unknown_municipality_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidCommand, match="not one this deployment serves; known: ekaterinburg"):
        received("tver", Kind.APPEAL, Channel.EMAIL, "2026-04-16T06:00:00")


def test_the_municipalities_are_configured_as_code_zone_pairs_and_checked() -> None:
    settings = Settings.from_env(
        {
            "OTKLIK_MUNICIPALITIES": "kazan=Europe/Moscow, perm=Asia/Yekaterinburg",
            "OTKLIK_MUNICIPALITY": "perm",
        }
    )
    assert settings.municipalities == {"kazan": "Europe/Moscow", "perm": "Asia/Yekaterinburg"}
    assert (settings.municipality, settings.timezone) == ("perm", "Asia/Yekaterinburg")
    assert Settings.from_env({}).municipalities == {}
    for bad, words in [
        ({"OTKLIK_MUNICIPALITIES": "kazan=Europe/Kazan"}, "not an IANA time zone"),
        ({"OTKLIK_MUNICIPALITIES": "kazan"}, "not a new 'code=Time/Zone' pair"),
        ({"OTKLIK_MUNICIPALITIES": "a=UTC,a=UTC"}, "not a new 'code=Time/Zone' pair"),
        ({"OTKLIK_MUNICIPALITY": "kazan"}, "not among OTKLIK_MUNICIPALITIES"),
        ({"OTKLIK_TIMEZONE": "Mars/Olympus"}, "not an IANA time zone"),
    ]:
        with pytest.raises(ValueError, match=words):
            Settings.from_env(bad)
