"""``POST requests``' fields as the appeal's: the citizen's contact (personal data, kept only in
the receipt event), the place, and the text (the description, the attributes and the media URL;
the service's name when the client sent no description)."""

from __future__ import annotations

from api.open311_views import Open311Error
from api.schemas.open311 import NewRequest
from domain.appeals import commands as cmd


def contact_of(data: NewRequest) -> cmd.CitizenContactInput | None:
    name = " ".join(n for n in (data.first_name, data.last_name) if n)
    if not (name or data.phone or data.email):
        return None
    return cmd.CitizenContactInput(full_name=name or None, phone=data.phone, email=data.email)


def place_of(data: NewRequest) -> cmd.PlaceInput:
    """One location is required (the spec): lat and long together, or an address, or its id."""
    if (data.lat is None) != (data.long is None):
        raise Open311Error(400, "lat and long must be given together")
    address = data.address_string
    if address is None and data.address_id is not None:
        address = f"address_id {data.address_id}"
    if data.lat is None and address is None:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    return cmd.PlaceInput(address=address, latitude=data.lat, longitude=data.long)


def text_of(data: NewRequest, attributes: dict[str, list[str]], service_name: str) -> str:
    lines = [data.description or f"Сообщение по теме «{service_name}» (Open311)"]
    for code, values in sorted(attributes.items()):
        lines.append(f"{code}: {', '.join(v.strip() for v in values)}")
    if data.media_url is not None:
        lines.append(f"Медиа: {data.media_url}")
    return "\n".join(lines)[:20_000]
