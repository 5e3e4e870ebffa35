"""The messenger webhooks (issue 16): Telegram's and VK's servers call these routes, with no
bearer token (public in the token's sense); each checks the secret its messenger sends, in
constant time, before anything of the body is read. Unset secrets: the integration is not
configured, 404. A wrong or missing secret: 403, nothing read, nothing appended. A body not of the
messenger's documented shape: 400. Everything else is answered 2xx at once, handled or not, so
that the messenger does not retry; a retried delivery appends nothing (the intake's idempotency
by the delivery's id). Neither the chat nor the text reaches a log line or an answer."""

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.concurrency import sync_to_thread
from litestar.enums import MediaType
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import Parameter

from api.auth import PUBLIC
from api.errors import ApiProblem
from api.problems_openapi import SUCCESS_CONTENT
from api.redaction import safe_key
from api.webhooks import telegram, vk
from api.webhooks.common import WebhookSecrets, log, receive, same_secret
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel

TELEGRAM_PATH = "/api/v1/intake/telegram"
VK_PATH = "/api/v1/intake/vk"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header's name)
_TEXT = {SUCCESS_CONTENT: {"text/plain": Schema(type=OpenAPIType.STRING)}}


def _not_configured(what: str) -> ApiProblem:
    return ApiProblem(404, "not-configured", "Not configured", f"the {what} is not configured")


def _bad_secret(where: str) -> ApiProblem:
    return ApiProblem(403, "bad-secret", "Forbidden", f"{where} is missing or wrong")


def _malformed(what: str, error: Exception) -> ApiProblem:
    # msgspec's message names the rule and the path; only the path is repeated (no value)
    message = str(error)
    path = message.rpartition(" - at `$")[2].rstrip("`").lstrip(".") if "at `$" in message else ""
    key = safe_key(path) if path else None
    where = f" (at {key})" if key else ""
    return ApiProblem(400, "invalid-body", "Bad request", f"the body is not {what}{where}")


def _text(content: str) -> Response[str]:
    return Response(content, media_type=MediaType.TEXT, status_code=200)


@post(TELEGRAM_PATH, tags=["intake"], status_code=200, opt={PUBLIC: True, **_TEXT})
async def telegram_update(
    request: Request[Any, Any, Any],
    appeals: AppealsApplication,
    webhook_secrets: WebhookSecrets,
    secret_token: Annotated[
        str | None,
        Parameter(
            header=SECRET_HEADER,
            required=False,
            description="The secret_token given to setWebhook.",
        ),
    ] = None,
) -> Response[str]:
    """Telegram Bot API webhook: the body is an `Update`. A new message or channel post with a
    text, a caption, a photo or a location becomes an incident on the Telegram channel; the
    chat is kept as the citizen's reply address. Answered with an empty 200 whatever it held."""
    expected = webhook_secrets.telegram
    if expected is None:
        raise _not_configured("Telegram webhook")
    if not same_secret(secret_token, expected):
        raise _bad_secret(f"the {SECRET_HEADER} header")
    body = await request.body()
    try:
        update = telegram.parse(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise _malformed("a Telegram Update", error) from None
    command = telegram.to_command(update, appeals.clock())
    if command is None:
        log.info("intake.dropped", channel="telegram")
        return _text("")
    key = str(update.update_id)
    await sync_to_thread(receive, appeals, Channel.TELEGRAM, key, command)
    return _text("")


@post(VK_PATH, tags=["intake"], status_code=200, opt={PUBLIC: True, **_TEXT})
async def vk_callback(
    request: Request[Any, Any, Any], appeals: AppealsApplication, webhook_secrets: WebhookSecrets
) -> Response[str]:
    """VK Callback API: `confirmation` is answered with the confirmation string; every other
    call must carry the server's `secret` and is answered `ok`. `message_new` and
    `wall_reply_new` become incidents on the VK channel, the sender kept as the reply address."""
    secret = webhook_secrets.vk
    if secret is None:
        raise _not_configured("VK Callback API")
    try:
        call = vk.parse(await request.body())
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise _malformed("a VK Callback API call", error) from None
    if call.type == "confirmation":
        if webhook_secrets.vk_confirmation is None:
            raise _not_configured("VK confirmation string")
        return _text(webhook_secrets.vk_confirmation)
    if not same_secret(call.secret, secret):
        raise _bad_secret("the call's `secret`")
    try:
        item = vk.to_item(call, appeals.clock())
    except msgspec.ValidationError as error:
        raise _malformed(f"a VK `{_type_name(call.type)}` call", error) from None
    if item is None:
        log.info("intake.dropped", channel="vk")
        return _text("ok")
    await sync_to_thread(receive, appeals, Channel.VK, item.key, item.command)
    return _text("ok")


def _type_name(value: str) -> str:
    """The call's type, repeated only when it is one we handle (it is the sender's text)."""
    return value if value in ("message_new", "wall_reply_new") else "event"


WEBHOOK_ROUTES = [telegram_update, vk_callback]
