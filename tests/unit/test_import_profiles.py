"""Each shipped profile maps its export's columns to the facts ``docs/imports.md`` names: the
id, the source's reference, the channel, the times in the profile's zone, the source's deadline
(a day alone: until its end), the status, the unit, the topic, the texts, the contact, the place
and the tags. A cell that breaks its column's rule is the row's error naming the column and the
rule, never the value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.appeals.vocabulary import Channel, Kind
from infra.intake.profile import Stage, load_profile
from infra.intake.reading import Row
from infra.intake.rows import Record, RowError, RowReader


def read(profile: str, row: Row) -> Record:
    return RowReader(load_profile(profile), None, None).read(row)


def refused(profile: str, row: Row) -> RowError:
    with pytest.raises(RowError) as caught:
        read(profile, row)
    return caught.value


POS: Row = {
    "Номер сообщения": "12345",
    "Дата поступления": "02.03.2026 09:15",
    "Дата регистрации": "02.03.2026 09:20",
    "Дата назначения": "02.03.2026 11:00",
    "Дата ответа": "05.03.2026 10:00",
    "Дата закрытия": "05.03.2026 12:00",
    "Срок ответа": "12.03.2026",
    "Статус": "Закрыто",
    "Ответственный": "ugkh",
    "Категория": "M.91",
    "Подкатегория": "",
    "Текст сообщения": "Не вывозят мусор",
    "Текст ответа": "Вывезли",
    "Заявитель": "Иванова Анна",
    "Телефон": "+7 900 000-00-00",
    "Электронная почта": "anna@example.org",
    "Адрес": "ул. Садовая, 1",
    "Широта": "55,75",
    "Долгота": "37.61",
}
INCIDENT: Row = {
    "ID инцидента": "inc-7",
    "Ссылка": "https://vk.com/wall-1_7",
    "Соцсеть": "ВКонтакте",
    "Дата публикации": "2026-03-02 09:15:00",
    "Статус": "Новый",
    "Категория": "M.92",
    "Текст": "Темно во дворе",
    "Автор": "Пётр",
    "Охват": "1200",
}
NYC: Row = {
    "Unique Key": "59893919",
    "Created Date": "03/02/2026 09:15:00 AM",
    "Closed Date": "03/04/2026 05:00:00 PM",
    "Due Date": "03/09/2026",
    "Status": "Closed",
    "Agency": "DSNY",
    "Complaint Type": "Missed Collection",
    "Open Data Channel Type": "PHONE",
    "Descriptor": "Trash not collected",
    "Resolution Description": "Collected.",
    "Incident Address": "1 MAIN STREET",
    "Latitude": "40.7",
    "Longitude": "-73.9",
}


def test_the_pos_profile_maps_its_columns_as_documented() -> None:
    r = read("pos", POS)
    assert (r.external_id, r.reference) == ("12345", "12345")
    assert (r.kind, r.channel, r.stage) == (Kind.MESSAGE, Channel.POS, Stage.CLOSED)
    msk = timedelta(hours=3)  # Moscow time, written without an offset
    assert r.received_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC) - msk
    assert r.registered_at == datetime(2026, 3, 2, 9, 20, tzinfo=UTC) - msk
    assert r.assigned_at == datetime(2026, 3, 2, 11, 0, tzinfo=UTC) - msk
    assert r.answered_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC) - msk
    assert r.closed_at == datetime(2026, 3, 5, 12, 0, tzinfo=UTC) - msk
    # a deadline given as a day: on time until the day's end (its last microsecond)
    end = datetime(2026, 3, 13, tzinfo=UTC) - msk - timedelta(microseconds=1)
    assert r.target == end
    assert (r.unit, r.topic, r.subtopic) == ("ugkh", "M.91", None)
    assert (r.text, r.answer_text) == ("Не вывозят мусор", "Вывезли")
    assert r.citizen is not None and r.citizen.full_name == "Иванова Анна"
    assert (r.citizen.phone, r.citizen.email) == ("+7 900 000-00-00", "anna@example.org")
    assert r.place is not None and (r.place.latitude, r.place.longitude) == (55.75, 37.61)
    assert r.place.address == "ул. Садовая, 1"


def test_the_incident_profile_maps_the_url_the_network_and_the_reach() -> None:
    r = read("incident-management", INCIDENT)
    assert (r.external_id, r.reference) == ("inc-7", "https://vk.com/wall-1_7")
    assert (r.kind, r.channel, r.stage) == (Kind.INCIDENT, Channel.VK, Stage.OPEN)
    assert r.tags == ("сеть:ВКонтакте", "охват:1200")
    assert r.citizen is not None and r.citizen.full_name == "Пётр"
    # a network the profile does not name is an incident of another social network
    other = read("incident-management", {**INCIDENT, "Соцсеть": "Дзен"})
    assert other.channel is Channel.OTHER_SOCIAL


def test_the_311_profile_maps_the_nyc_columns_in_new_york_time() -> None:
    r = read("generic-311", NYC)
    assert (r.external_id, r.channel, r.stage) == ("59893919", Channel.PHONE, Stage.CLOSED)
    edt = timedelta(hours=5)  # EST before the 8 March 2026 change
    assert r.received_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC) + edt
    assert r.closed_at == datetime(2026, 3, 4, 17, 0, tzinfo=UTC) + edt
    assert r.target == datetime(2026, 3, 10, 4, tzinfo=UTC) - timedelta(microseconds=1)
    assert (r.unit, r.topic, r.text) == ("DSNY", "Missed Collection", "Trash not collected")
    assert r.answer_text == "Collected." and r.citizen is None
    assert r.place is not None and r.place.address == "1 MAIN STREET"


@pytest.mark.parametrize(
    ("profile", "row", "column", "rule"),
    [
        ("pos", {**POS, "Дата поступления": "31.02.2026 25:61"}, "Дата поступления", "formats"),
        ("pos", {**POS, "Дата поступления": "02.03.1899 10:00"}, "Дата поступления", "years"),
        ("pos", {**POS, "Срок ответа": "завтра-42"}, "Срок ответа", "formats"),
        ("pos", {**POS, "Статус": "Загадочный-42"}, "Статус", "statuses"),
        ("pos", {**POS, "Широта": "секрет-42"}, "Широта", "not a number"),
        ("pos", {**POS, "Широта": "91.5"}, "Широта", "from -90 to 90"),
        ("pos", {**POS, "Дата закрытия": "01.03.2026 10:00"}, "Дата закрытия", "out of order"),
        ("pos", {**POS, "Текст сообщения": "текст\x00-42"}, "Текст сообщения", "characters"),
        ("pos", {**POS, "Текст сообщения": " "}, "Текст сообщения", "required"),
        ("pos", {**POS, "Номер сообщения": "12\n42"}, "Номер сообщения", "characters"),
        ("pos", {**POS, "Заявитель": "Иван\x00-42"}, "Заявитель", "characters"),
        ("incident-management", {**INCIDENT, "Охват": "12.5"}, "Охват", "whole number"),
        ("generic-311", {**NYC, "Open Data Channel Type": "FAX-42"}, "Open Data Channel Type", ""),
    ],
)
def test_a_bad_cell_is_the_rows_error_naming_the_column_and_the_rule_not_the_value(
    profile: str, row: Row, column: str, rule: str
) -> None:
    error = refused(profile, row)
    assert error.column == column
    assert rule in error.rule
    assert "42" not in error.rule and "1899" not in error.rule and "91.5" not in error.rule
