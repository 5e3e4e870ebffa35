"""Open311 documents as the spec's XML (the format it requires): a root element holding one
element per item (``<services><service>…``, ``<service_requests><request>…``,
``<errors><error>…``), a field per child element in the struct's order, booleans as
``true``/``false``, an absent value as an empty element (``<account_id/>``), lists of structs
nested as the spec nests them (``<attributes><attribute>…``, ``<values><value>…``). Built with the
standard library's ElementTree, which escapes every text; UTF-8 with the XML declaration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

import msgspec

MEDIA_TYPE = "text/xml"  # the spec's XML content type (Litestar adds "; charset=utf-8")
JSON_MEDIA_TYPE = "application/json"

# A list field's items: its name → the element of one item.
_ITEMS = {"attributes": "attribute", "values": "value"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, item: msgspec.Struct) -> None:
    for name in item.__struct_fields__:
        value = getattr(item, name)
        child = ET.SubElement(parent, name)
        if isinstance(value, list):
            for nested in value:
                _fill(ET.SubElement(child, _ITEMS.get(name, "item")), nested)
        elif value is not None:
            child.text = _text(value)


def document(root: str, item: str | None, items: Sequence[msgspec.Struct]) -> bytes:
    """``<root><item>…</item>…</root>``; with ``item`` None, the one struct's fields go straight
    under the root (``<service_definition>``)."""
    top = ET.Element(root)
    for each in items:
        _fill(top if item is None else ET.SubElement(top, item), each)
    body: bytes = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return body
