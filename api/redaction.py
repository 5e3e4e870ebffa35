"""What a refusal may repeat of a request: the route's template, field names and the rule broken,
never a value that was sent (citizens type phone numbers into anything, and error bodies and log
lines end up in tickets, dashboards and archives)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from litestar.types import Scope

# A field or parameter name we may repeat: an identifier, as our schemas declare them.
_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
# The steps of a JSON path (without "$.") we may repeat: names, array indices, dicts' keys.
_FIRST_STEP = re.compile(_NAME)
_FIELD_STEP = re.compile(rf"\.{_NAME}")
_INDEX_STEP = re.compile(r"\[(?:\d{1,9}|\*)\]")  # "[*]": msgspec's "[...]", a dict's key
_PATH_SUFFIX = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_BACKTICKED = re.compile(r"`([^`]*)`")
# msgspec messages that carry the value sent, and their value-free forms.
_ECHOING = (
    (re.compile(r"^Invalid enum value\b", re.S), "invalid enum value"),
    (re.compile(r"^Invalid value\b", re.S), "invalid value"),
    (re.compile(r"^Object contains unknown field\b", re.S), "an unknown field"),
)
# A pattern's regex is the schema's, but unreadable in a sentence: the schema shows it.
_PATTERN = re.compile(r"^(Expected `str`) matching regex .*$", re.S)
_MISSING_PARAMETER = re.compile(
    r"^Missing required (\w+) parameter '([A-Za-z_][A-Za-z0-9_-]{0,63})'"
)
# Details of Litestar's HTTP errors that repeat nothing of the request.
_SAFE_HTTP_DETAILS = (
    re.compile(r"^JSON is malformed: [a-z ,'\[\]{}:]+ \(byte \d+\)$"),
    re.compile(r"^Input data was truncated$"),
    re.compile(r"^an 'Authorization: Bearer <token>' header is required$"),
    re.compile(r"^the token is unknown or revoked$"),
)


def route_path(scope: Scope) -> str:
    """The request's path as the route declares it (``/api/v1/appeals/{appeal_id}``), never with
    its query string; for a path no route matched, its segments that some route spells literally,
    the others as ``{…}``."""
    template = scope.get("path_template")
    if template:
        return str(template)
    app = scope.get("litestar_app")
    literal = _literal_segments(app.routes) if app is not None else frozenset()
    segments = str(scope.get("path", "")).split("/")
    return "/".join(s if s in literal or not s else "{…}" for s in segments) or "/"


def _literal_segments(routes: Iterable[Any]) -> frozenset[str]:
    return frozenset(
        segment
        for route in routes
        for segment in str(route.path).split("/")
        if segment and "{" not in segment
    )


def safe_key(key: str) -> str | None:
    """A field's JSON path (``citizen.phone``, ``weights[0].weight``), or its longest prefix made
    of names and indices only (None: not even its first step is a name)."""
    steps = re.split(r"(?=[.\[])", key.replace("[...]", "[*]"))
    kept: list[str] = []
    for step in steps:
        if kept:
            if not (_FIELD_STEP.fullmatch(step) or _INDEX_STEP.fullmatch(step)):
                break
        elif not _FIRST_STEP.fullmatch(step):
            break
        kept.append(step)
    return "".join(kept).replace("[*]", "[...]") or None


def field_message(message: str) -> str:
    """A decoding or validation message, value-free: the rule and the field's path only.

    msgspec's own messages repeat the value only in the forms listed in ``_ECHOING``; a message
    from a struct's ``__post_init__`` is kept when it quotes nothing but names, else replaced."""
    text, path = message, None
    if found := _PATH_SUFFIX.search(message):
        text, path = message[: found.start()], found.group("path").removeprefix(".")
    for pattern, replacement in _ECHOING:
        if pattern.match(text):
            text = replacement
            break
    else:
        text = _PATTERN.sub(r"\1 matching the field's pattern (see the OpenAPI schema)", text)
        if not text.startswith("Expected `") and not _quotes_names_only(text):
            text = "invalid value"
    if path is not None:
        safe = safe_key(path)
        return f"{text} - at `$.{safe}`" if safe else text
    return text


def _quotes_names_only(text: str) -> bool:
    if "'" in text or '"' in text:
        return False
    return all(re.fullmatch(_NAME, quoted) for quoted in _BACKTICKED.findall(text))


def validation_errors(extra: Any) -> list[dict[str, str]]:
    """Litestar's list of field errors, each as message, key (a safe path) and source."""
    if not isinstance(extra, list):
        return []
    cleaned = []
    for error in extra:
        if not isinstance(error, dict):
            continue
        item = {"message": field_message(str(error.get("message", "")))}
        key = safe_key(str(error.get("key", ""))) if error.get("key") else None
        if key is not None:
            item["key"] = key
        source = error.get("source")
        if source is not None:  # "body", or a ParamType: query, path, header, cookie
            item["source"] = str(getattr(source, "value", source))
        cleaned.append(item)
    return cleaned


def validation_detail(detail: str, errors: list[dict[str, str]]) -> str:
    """The detail of a validation problem: its field errors in a line, or Litestar's own detail
    when it repeats nothing of the request."""
    if errors:
        described = [
            f"{e['message']}"
            + (f" at `{e['key']}`" if "key" in e and e["key"] != "data" else "")
            + (f" ({e['source']})" if "source" in e else "")
            for e in errors[:5]
        ]
        return "; ".join(described)
    if found := _MISSING_PARAMETER.match(detail):
        return f"the {found.group(1)} parameter `{found.group(2)}` is required"
    return "the request does not match the route's parameters"


def http_detail(status: int, detail: str) -> str:
    """An HTTP error's detail when it is one of the value-free kinds, else the status's phrase."""
    if any(pattern.match(detail) for pattern in _SAFE_HTTP_DETAILS):
        return detail
    return status_phrase(status)


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
