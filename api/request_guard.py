"""Refuses, before anything parses it and before the token is looked at, a request that a parser
would choke on: a body that is not UTF-8 or JSON nested deeper than ``MAX_DEPTH`` (msgspec
recurses, and 100,000 levels end in a RecursionError), control characters or broken UTF-8 in the
path or the query. Every body this API takes is JSON, whatever its Content-Type says (Litestar
decodes ``data`` as JSON), so every body is checked."""

from __future__ import annotations

import re
from array import array
from itertools import accumulate
from urllib.parse import unquote_to_bytes

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from litestar.types.asgi_types import HTTPRequestEvent

from api.errors import PROBLEM_MEDIA_TYPE, problem_body

MAX_DEPTH = 64  # arrays and objects inside one another; our deepest body uses 4
MAX_BODY_BYTES = 10 * 1024 * 1024  # Litestar's default request_max_body_size
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON string (escapes included): brackets inside it do not nest anything.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f]")


class Refusal(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text, without parsing it (and without
    recursion); brackets that would never close count as open. Cheap for ordinary bodies: unless
    more than ``MAX_DEPTH`` brackets open at all, it is only counted."""
    opened = body.count(b"[") + body.count(b"{")
    if opened <= MAX_DEPTH:
        return opened
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets.translate(_STEPS))), default=0)


def check_body(body: bytes) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(
            400, "invalid-body", "The body is not UTF-8", "a JSON body must be encoded in UTF-8"
        ) from None
    if nesting_depth(body) > MAX_DEPTH:
        raise Refusal(
            400,
            "invalid-body",
            "The body nests too deep",
            f"arrays and objects may nest at most {MAX_DEPTH} levels deep",
        )


def check_target(scope: Scope) -> None:
    """The path and the query: UTF-8 and no control characters (a NUL reaches PostgreSQL)."""
    query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
    raw_path = scope.get("raw_path")
    path = unquote_to_bytes(raw_path) if isinstance(raw_path, bytes) else b""
    for part, what in ((query, "query"), (path, "path")):
        if _CONTROL.search(part):
            raise _bad_target(what, "holds a control character")
        try:
            part.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad_target(what, "is not UTF-8") from None
    if _CONTROL_TEXT.search(str(scope.get("path", ""))):
        raise _bad_target("path", "holds a control character")


def _bad_target(what: str, rule: str) -> Refusal:
    return Refusal(400, f"invalid-{what}", f"Bad {what}", f"the request's {what} {rule}")


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body, and False when the client went away before sending it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refusal(
                413,
                "body-too-large",
                "The body is too large",
                f"a body may hold at most {MAX_BODY_BYTES} bytes",
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def request_guard(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        body: bytes | None = None
        try:
            check_target(scope)
            if scope.get("method") in _BODY_METHODS:
                body, complete = await _read_body(receive)
                if not complete:
                    return  # the client is gone: nobody to answer
                check_body(body)
        except Refusal as refusal:
            await _refuse(scope, send, refusal)
            return
        await app(scope, receive if body is None else _replay(body, receive), send)

    return middleware


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> ReceiveMessage:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        whole: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
        return whole

    return replay


async def _refuse(scope: Scope, send: Send, refusal: Refusal) -> None:
    body = msgspec.json.encode(
        problem_body(scope, refusal.status, refusal.code, refusal.title, refusal.detail)
    )
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
