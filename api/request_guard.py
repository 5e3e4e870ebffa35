"""Refuses, after the token (the middleware before it) and before anything parses the request,
a request that a parser would choke on: a body that is not UTF-8 or JSON nested deeper than
``MAX_DEPTH`` (msgspec recurses, and 100,000 levels end in a RecursionError), control characters
or broken UTF-8 in the path or the query. Every body this API takes is JSON, whatever its
Content-Type says (Litestar decodes ``data`` as JSON), so every body is checked."""

from __future__ import annotations

import re
from array import array
from itertools import accumulate
from urllib.parse import unquote_to_bytes

import anyio.to_thread
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from litestar.types.asgi_types import HTTPRequestEvent

from api.errors import ApiProblem, on_api_problem, send_problem

MAX_DEPTH = 64  # arrays and objects inside one another; our deepest body uses 4
MAX_BODY_BYTES = 10 * 1024 * 1024  # Litestar's default request_max_body_size
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # the requests whose body is read
# A route handler's opt key: its body is a file the handler streams and limits itself (an
# attachment's bytes), never JSON: neither read whole nor checked here.
STREAMED_BODY = "streamed_body"
_OFF_LOOP_BYTES = 64 * 1024  # a body this large is checked in a worker thread
_CHUNK = 64 * 1024  # quotes and brackets looked at in one go (and between them the GIL is free)
_PASSES = 4  # times at most that adjacent "[]" are taken out before brackets are counted one by one
_NOT_SYNTAX = bytes(b for b in range(256) if b not in b'"[]{}')
_FOLD = bytes.maketrans(b"{}", b"[]")  # objects nest as arrays do
_STEPS = bytes.maketrans(b"[]", b"\x01\xff")  # +1 and -1 as signed bytes
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f]")


class Refusal(ApiProblem):
    """A request refused before anything parses it: answered as any ``ApiProblem`` is."""


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels deep in a JSON text, told
    without parsing it, without recursion and in time linear in its length (no regex that can
    backtrack). Brackets inside strings nest nothing; a string that never closes runs to the end
    (a parser stops there too); brackets that never close count as open. It answers as soon as
    the limit is passed, and unless more than ``limit`` brackets open at all, it only counts.

    Escapes go first: ``\\\\`` pairs, then ``\\"`` (so every quote left opens or closes a string),
    then every byte but quotes and brackets, and adjacent quotes (an empty string, or two strings
    side by side, nothing between them). What is outside strings is every other piece between
    quotes. A backslash outside a string is read as an escape too: JSON has none there, and a
    parser stops at it, so only what comes after it can be read differently."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    syntax = (
        body.replace(b"\\\\", b"")
        .replace(b'\\"', b"")
        .translate(_FOLD, _NOT_SYNTAX)
        .replace(b'""', b"")
    )
    inside, depth = False, 0
    for start in range(0, len(syntax), _CHUNK):
        pieces = syntax[start : start + _CHUNK].split(b'"')
        outside = b"".join(pieces[inside::2])
        if _passes(outside, depth, limit):
            return True
        depth += 2 * outside.count(b"[") - len(outside)
        inside ^= len(pieces) % 2 == 0  # an odd number of quotes
    return False


def _passes(brackets: bytes, depth: int, limit: int) -> bool:
    """Whether the depth, ``depth`` before ``brackets`` (only "[" and "]"), passes ``limit`` in
    them. Taking out every adjacent "[]" lowers the peak by at most one level, so after k such
    passes the peak is the one left or up to k more; counting one by one settles the rest."""
    if depth + brackets.count(b"[") <= limit:
        return False
    reduced, passes = brackets, 0
    while passes < _PASSES:
        shorter = reduced.replace(b"[]", b"")
        if len(shorter) > len(reduced) * 3 // 4:
            break  # little to gain: deep rather than wide
        reduced, passes = shorter, passes + 1
    peak = _peak(reduced, depth)
    if peak > limit or peak + passes <= limit:
        return peak > limit
    return _peak(brackets, depth) > limit


def _peak(brackets: bytes, depth: int) -> int:
    return max(accumulate(array("b", brackets.translate(_STEPS)), initial=depth))


def check_body(body: bytes) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(
            400, "invalid-body", "The body is not UTF-8", "a JSON body must be encoded in UTF-8"
        ) from None
    if too_deep(body):
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
            if scope.get("method") in BODY_METHODS and not _streamed(scope):
                body, complete = await _read_body(receive)
                if not complete:
                    return  # the client is gone: nobody to answer
                if len(body) > _OFF_LOOP_BYTES:  # the event loop goes on serving meanwhile
                    await anyio.to_thread.run_sync(check_body, body)
                else:
                    check_body(body)
        except Refusal as refusal:
            await send_problem(on_api_problem, refusal, scope, receive, send)
            return
        await app(scope, receive if body is None else _replay(body, receive), send)

    return middleware


def _streamed(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(STREAMED_BODY))


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
