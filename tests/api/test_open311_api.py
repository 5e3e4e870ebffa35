"""Open311 GeoReport v2 through the real server: the services in JSON and in the spec's XML, a
request filed form-encoded with an integration's api_key and read back in both formats, the
public tracker showing nothing of the citizen, and refusals in the spec's error shape."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container

pytestmark = pytest.mark.integration

BASE = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
TRACKED_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
]
PERSONAL = {
    "first_name": "Агриппина",
    "last_name": "Пустоозёрская",
    "phone": "+7 (912) 555-77-31",
    "email": "agrippina.open311@example.org",
    "description": "Контейнерная площадка у дома переполнена уже неделю",
    "address_string": "ул. Приозёрная, д. 17",
    "media_url": "https://photos.example.org/open311-container.jpg",
}
SECRETS = [*PERSONAL.values(), "79125557731", "57.1234", "65.4321", "Приозёрная"]


@pytest.fixture(scope="module")
def api_key(container: Container) -> str:
    token, _ = container.tokens.create(role=Role.OPERATOR, name="Open311: городское приложение")
    return token


@pytest.fixture
def http(base_url: str, container: Container) -> Any:
    """A client with no token (the routes are public); the container has loaded the test
    rubricator by then."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def form(api_key: str, **fields: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "M.91",
        "lat": "57.1234",
        "long": "65.4321",
        **fields,
    }


def xml(answer: httpx.Response) -> ET.Element:
    assert answer.headers["content-type"].startswith("text/xml"), answer.text
    assert answer.content.startswith(b"<?xml")
    return ET.fromstring(answer.content)  # noqa: S314 (our own server's answer)


def assert_error(answer: httpx.Response, status: int) -> str:
    """The spec's error shape: a list of {code, description} (JSON) or <errors><error> (XML)."""
    assert answer.status_code == status, answer.text
    if answer.request.url.path.endswith(".xml"):
        root = xml(answer)
        assert root.tag == "errors"
        errors = [
            {"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    else:
        assert answer.headers["content-type"].startswith("application/json")
        errors = answer.json()
    assert errors and all(e["code"] == status and e["description"] for e in errors), errors
    return str(errors[0]["description"])


def test_services_list_the_rubricators_leaves_in_json_and_in_the_specs_xml(http: Any) -> None:
    answer = http.get(f"{BASE}/services.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    services = {s["service_code"]: s for s in answer.json()}
    assert {"M.91", "M.92", "M.93", "M.02"} <= set(services)
    assert "M.90" not in services and "0005" not in services  # a theme with topics; a section
    assert list(services["M.91"]) == SERVICE_FIELDS
    assert services["M.91"]["service_name"] == "Вывоз ТКО"
    assert services["M.91"]["group"] == "ЖКХ"
    assert services["M.92"]["group"] == "Жилищно-коммунальная сфера"
    assert services["M.91"]["metadata"] is False and services["M.91"]["type"] == "realtime"
    root = xml(http.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {e.tag for e in root} == {"service"}
    first = root.find("service")
    assert first is not None and [e.tag for e in first] == SERVICE_FIELDS
    assert {e.findtext("service_code") for e in root} == set(services)
    assert first.findtext("metadata") == "false"


def test_a_service_definition_names_the_code_and_its_attributes_in_both_formats(
    http: Any,
) -> None:
    assert http.get(f"{BASE}/services/M.91.json").json() == {
        "service_code": "M.91",
        "attributes": [],
    }
    root = xml(http.get(f"{BASE}/services/M.91.xml"))
    assert root.tag == "service_definition"
    assert [e.tag for e in root] == ["service_code", "attributes"]
    assert_error(http.get(f"{BASE}/services/M.90.json"), 404)


def test_a_form_encoded_request_is_filed_and_read_back_in_json_and_xml(
    http: Any, api_key: str
) -> None:
    answer = http.post(f"{BASE}/requests.json", data=form(api_key))
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    request_id = created["service_request_id"]
    [tracked] = http.get(f"{BASE}/requests/{request_id}.json").json()
    assert list(tracked) == TRACKED_FIELDS
    assert tracked["service_request_id"] == request_id and tracked["status"] == "open"
    assert tracked["service_code"] == "M.91" and tracked["service_name"] == "Вывоз ТКО"
    assert tracked["agency_responsible"] is None  # not assigned yet
    assert tracked["requested_datetime"].endswith("+00:00")
    root = xml(http.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None and [e.tag for e in request] == TRACKED_FIELDS
    assert request.findtext("service_request_id") == request_id
    created_xml = xml(http.post(f"{BASE}/requests.xml", data=form(api_key)))
    assert created_xml.tag == "service_requests"
    item = created_xml.find("request")
    assert item is not None
    assert [e.tag for e in item] == ["service_request_id", "service_notice", "account_id"]
    assert item.find("account_id") is not None and not item.findtext("account_id")


def test_a_request_with_an_idempotency_key_is_filed_once(http: Any, api_key: str) -> None:
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = http.post(f"{BASE}/requests.json", data=form(api_key), headers=headers)
    again = http.post(f"{BASE}/requests.json", data=form(api_key), headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json() == again.json()
    other = http.post(f"{BASE}/requests.json", data=form(api_key, lat="57.2"), headers=headers)
    assert_error(other, 422)


def _listed(http: Any, request_id: str, **params: str) -> list[dict[str, Any]]:
    """The list, once the appeals view has the request (it is a view: it may lag a moment)."""
    deadline = time.monotonic() + 20
    while True:
        answer = http.get(f"{BASE}/requests.json", params=params)
        assert answer.status_code in (200, 503), answer.text
        found: list[dict[str, Any]] = answer.json() if answer.status_code == 200 else []
        if any(r["service_request_id"] == request_id for r in found):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.2)


def test_the_public_tracker_and_the_log_show_nothing_of_the_citizen(
    http: Any, api_key: str, server_log: Path
) -> None:
    start = server_log.stat().st_size
    answer = http.post(f"{BASE}/requests.json", data=form(api_key, **PERSONAL))
    assert answer.status_code == 200, answer.text
    request_id = answer.json()[0]["service_request_id"]
    seen = [answer.text]
    for fmt in ("json", "xml"):
        seen.append(http.get(f"{BASE}/requests/{request_id}.{fmt}").text)
    _listed(http, request_id, service_request_id=request_id)
    for fmt in ("json", "xml"):
        seen.append(http.get(f"{BASE}/requests.{fmt}").text)
        seen.append(http.get(f"{BASE}/requests.{fmt}", params={"service_code": "M.91"}).text)
    with server_log.open("rb") as log:
        log.seek(start)
        seen.append(log.read().decode("utf-8", "replace"))
    leaks = [secret for secret in SECRETS for text in seen if secret in text]
    assert not leaks
    assert request_id in seen[1]


def test_requests_list_only_open311_ones_filtered_and_paged(http: Any, api_key: str) -> None:
    ids = [
        http.post(f"{BASE}/requests.json", data=form(api_key, service_code="M.93")).json()[0][
            "service_request_id"
        ]
        for _ in range(3)
    ]
    listed = _listed(http, ids[-1], service_code="M.93")  # the view applies them in order
    assert {r["service_code"] for r in listed} == {"M.93"}
    assert set(ids) <= {r["service_request_id"] for r in listed}
    page1 = http.get(f"{BASE}/requests.json", params={"service_code": "M.93", "page_size": "2"})
    page2 = http.get(
        f"{BASE}/requests.json", params={"service_code": "M.93", "page_size": "2", "page": "2"}
    )
    first, second = page1.json(), page2.json()
    assert len(first) == 2 and second
    assert not {r["service_request_id"] for r in first} & {r["service_request_id"] for r in second}
    closed = http.get(f"{BASE}/requests.json", params={"service_code": "M.93", "status": "closed"})
    assert closed.status_code == 200 and closed.json() == []
    by_id = http.get(f"{BASE}/requests.xml", params={"service_request_id": ",".join(ids[:2])})
    assert {e.findtext("service_request_id") for e in xml(by_id)} == set(ids[:2])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_refusals_take_the_specs_error_shape_and_repeat_nothing_sent(
    http: Any, api_key: str, fmt: str
) -> None:
    url = f"{BASE}/requests.{fmt}"
    missing = dict(form(api_key))
    del missing["service_code"]
    assert "service_code" in assert_error(http.post(url, data=missing), 400)
    unknown = assert_error(http.post(url, data=form(api_key, service_code="Z.77")), 404)
    assert "Z.77" not in unknown
    bad_key = "otk_" + "9" * 40
    assert bad_key not in assert_error(http.post(url, data=form(bad_key)), 403)
    assert_error(http.post(url, data={"service_code": "M.91", "lat": "1", "long": "1"}), 400)
    far = assert_error(http.post(url, data=form(api_key, jurisdiction_id="atlantida")), 404)
    assert "atlantida" not in far
    assert_error(http.post(url, data=form(api_key, lat="91")), 400)
    nowhere = form(api_key)
    del nowhere["lat"], nowhere["long"]
    assert_error(http.post(url, data=nowhere), 400)
    assert_error(http.post(url, json=form(api_key)), 400)  # not a form
    assert_error(http.get(f"{BASE}/requests/{uuid.uuid4()}.{fmt}"), 404)
    assert_error(http.get(f"{BASE}/requests.{fmt}", params={"page_size": "1001"}), 400)
    assert_error(http.get(f"{BASE}/requests.{fmt}", params={"status": "lost"}), 400)


def test_an_account_whose_role_may_not_file_is_refused(http: Any, container: Container) -> None:
    analyst, _ = container.tokens.create(role=Role.ANALYST, name="Open311: не оператор")
    assert_error(http.post(f"{BASE}/requests.json", data=form(analyst)), 403)
