"""A stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

It speaks the wire format PTB uses (a POST to `/bot<token>/<method>`, form-urlencoded, JSON-encoded
non-string values; see /work/shared/NOTES.md) and implements getMe, deleteWebhook, setWebhook,
getUpdates long polling with offsets, sendMessage, editMessageText, answerCallbackQuery,
answerInlineQuery and setMyCommands. Like the real API it rejects what Telegram would reject:
unsupported HTML tags or attributes, unescaped `<`, `>` and `&`, unbalanced tags, texts over 4,096
characters, empty texts, `callback_data` over 64 bytes, unchanged edits, unknown callback or inline
query ids. Tests drive it from the user's side (`send_text`, `tap`, `inline`, ...), inject faults
(`fail`), and await what the bot did (`messages`, `wait_until`) instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx

TOKEN = "123456789:AAHtest-token_for-the-stand-in-0123456789"
BOT_ID = 123456789
BOT_USERNAME = "expo_faq_bot"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

JsonDict = dict[str, Any]
T = TypeVar("T")

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
_REASONS |= {404: "Not Found", 409: "Conflict", 429: "Too Many Requests"}
_REASONS |= {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "scope",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
    "button",
    "entities",
}
_INT_FIELDS = {"offset", "limit", "timeout", "message_id", "cache_time", "max_connections"}


class ApiError(Exception):
    """An error response of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


# --- Telegram's HTML parse mode ------------------------------------------------------------------

_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"\s+([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_SIMPLE_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "pre", "tg-spoiler"}


def parse_html(text: str) -> str:
    """The visible text of an HTML-formatted message, or ApiError 400 as Telegram would answer."""
    visible: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            tag = _TAG_RE.match(text, i)
            if tag is None:
                raise _parse_error(text, i, "Unexpected '<': escape it as &lt;")
            _check_tag(text, i, tag, open_tags)
            i = tag.end()
        elif ch == "&":
            entity = _ENTITY_RE.match(text, i)
            if entity is None:
                raise _parse_error(text, i, "Unsupported HTML entity: escape '&' as &amp;")
            visible.append(html.unescape(entity.group(0)))
            i = entity.end()
        elif ch == ">":
            raise _parse_error(text, i, "Unexpected '>': escape it as &gt;")
        else:
            visible.append(ch)
            i += 1
    if open_tags:
        raise _parse_error(
            text, len(text), f'Can\'t find end tag corresponding to "{open_tags[-1]}"'
        )
    return "".join(visible)


def _check_tag(text: str, at: int, tag: re.Match[str], open_tags: list[str]) -> None:
    closing, name, raw_attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
    if closing:
        if raw_attrs.strip():
            raise _parse_error(text, at, f'Unexpected attributes in end tag "{name}"')
        if not open_tags or open_tags[-1] != name:
            raise _parse_error(text, at, f'Unmatched end tag "{name}"')
        open_tags.pop()
        return
    attrs = {
        m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTR_RE.finditer(raw_attrs)
    }
    allowed: dict[str, set[str]] = {
        "a": {"href"},
        "span": {"class"},
        "code": {"class"},
        "blockquote": {"expandable"},
        "tg-emoji": {"emoji-id"},
    }
    if name not in _SIMPLE_TAGS and name not in allowed:
        raise _parse_error(text, at, f'Unsupported start tag "{name}"')
    if set(attrs) - allowed.get(name, set()):
        raise _parse_error(text, at, f'Unsupported attribute in tag "{name}"')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error(text, at, 'Tag "span" must have class "tg-spoiler"')
    if name == "a" and not attrs.get("href"):
        raise _parse_error(text, at, 'Tag "a" must have an href')
    if name == "blockquote" and "blockquote" in open_tags:
        raise _parse_error(text, at, "Blockquotes can't be nested")
    if (
        open_tags
        and open_tags[-1] in ("code", "pre")
        and not (name == "code" and open_tags[-1] == "pre")
    ):
        raise _parse_error(text, at, f'Tag "{name}" can\'t be inside "{open_tags[-1]}"')
    open_tags.append(name)


def _parse_error(text: str, at: int, what: str) -> ApiError:
    offset = len(text[:at].encode())
    return ApiError(400, f"Bad Request: can't parse entities: {what} at byte offset {offset}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(text: Any, parse_mode: Any, *, field_name: str = "message") -> str:
    """Validate a message text as Telegram does; return what the chat shows."""
    if not isinstance(text, str):
        raise ApiError(400, f"Bad Request: {field_name} text is empty")
    if parse_mode in (None, ""):
        visible = text
    elif parse_mode == "HTML":
        visible = parse_html(text)
    else:
        raise ApiError(400, f"Bad Request: the stand-in only speaks HTML, not {parse_mode}")
    visible = visible.strip()
    if not visible:
        raise ApiError(400, f"Bad Request: {field_name} text is empty")
    if utf16_len(visible) > MAX_TEXT:
        raise ApiError(400, f"Bad Request: {field_name} is too long")
    return visible


def check_markup(markup: Any) -> JsonDict | None:
    """Validate an inline keyboard; reject what Telegram would."""
    if markup is None:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            kinds = {
                "callback_data",
                "url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
            }
            if len(kinds & set(button)) != 1:
                raise ApiError(400, "Bad Request: can't find field of the button")
    return dict(markup)


# --- what the bot did ----------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: JsonDict
    status: int
    description: str = ""
    injected: bool = False  # a fault the test asked for with `fail`


@dataclass
class Sent:
    """A message the bot sent, as it stands in the chat (edits update it)."""

    chat_id: int
    message_id: int
    html: str
    text: str
    markup: JsonDict | None
    parse_mode: str | None
    reply_to: int | None
    at: float
    edits: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every button, row by row."""
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def data_for(self, label_part: str) -> str:
        """The callback_data of the first button whose label contains `label_part`."""
        for label, data in self.buttons():
            if label_part in label:
                return data
        raise AssertionError(f"no button containing {label_part!r} in {self.buttons()}")


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class _Chat:
    data: JsonDict
    private: bool


@dataclass
class FakeBotApi:
    """The stand-in server and its record of everything the bot did."""

    token: str = TOKEN
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    callback_answers: dict[str, JsonDict] = field(default_factory=dict)
    inline_answers: dict[str, JsonDict] = field(default_factory=dict)
    webhook: JsonDict | None = None
    confirmed: int = 0  # the highest getUpdates offset seen: every update below it was fetched

    def __post_init__(self) -> None:
        self._pending: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._user_ids = itertools.count(1001)
        self._group_ids = itertools.count(1)
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], Sent] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[str, list[Fault]] = {}
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._closing = False
        self.port = 0
        self.last_update_id = 0

    # --- serving ---------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._client = httpx.AsyncClient(timeout=10)

    async def stop(self) -> None:
        """Stop serving; every connection ends normally (long polls return at once)."""
        self._closing = True
        await self._notify()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._connections:
            await asyncio.wait(self._connections, timeout=5)
        if self._client is not None:
            await self._client.aclose()

    @property
    def base_url(self) -> str:
        """What TELEGRAM_BASE_URL would be for a bot using this stand-in."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)
        try:
            while not self._closing:
                request_line = await reader.readline()
                if not request_line:
                    break
                _verb, target, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                status, payload = await self._respond(target, headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                head = (
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                )
                writer.write(head.encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _respond(
        self, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, JsonDict]:
        path = urlsplit(target).path
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not method:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        params = _decode_params(headers.get("content-type", ""), body)
        handler = self._methods().get(method.lower())
        fault = self._take_fault(method) if handler else None
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            if fault is not None:
                raise ApiError(fault.status, fault.description, fault.retry_after)
            result = await handler(params)
        except ApiError as exc:
            self.calls.append(Call(method, params, exc.code, exc.description, fault is not None))
            await self._notify()
            error: JsonDict = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                error["parameters"] = {"retry_after": exc.retry_after}
            return exc.code, error
        self.calls.append(Call(method, params, 200))
        await self._notify()
        return 200, {"ok": True, "result": result}

    def _methods(self) -> dict[str, Callable[[JsonDict], Any]]:
        return {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "setmycommands": self._set_my_commands,
        }

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- faults ----------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str = "",
    ) -> None:
        """Make the next `times` calls of `method` fail with this status."""
        text = description or (
            f"Too Many Requests: retry after {retry_after}"
            if status == 429
            else f"{_REASONS.get(status, 'Error')}"
        )
        queue = self._faults.setdefault(method.lower(), [])
        queue.extend(Fault(status, text, retry_after) for _ in range(times))

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method.lower())
        return queue.pop(0) if queue else None

    # --- methods ---------------------------------------------------------------------------------

    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Expo FAQ",
            "username": self.username,
        }

    async def _get_me(self, _params: JsonDict) -> JsonDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in ("true", True):
            self._pending.clear()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = urlsplit(str(params.get("url", "")))
        local = url.hostname in ("127.0.0.1", "localhost")
        if url.scheme != "https" and not (url.scheme == "http" and local):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = dict(params)
        return True

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            if offset > self.confirmed:
                self.confirmed = offset
                await self._notify()
        if not self._pending and timeout > 0 and not self._closing:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._pending) or self._closing),
                        timeout,
                    )
        return self._pending[:limit]

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params.get("chat_id"))
        visible = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        message = Sent(
            chat_id=chat.data["id"],
            message_id=next(self._message_ids),
            html=params["text"],
            text=visible,
            markup=markup,
            parse_mode=params.get("parse_mode"),
            reply_to=reply_to,
            at=time.perf_counter(),
        )
        self.sent.append(message)
        self._messages[(message.chat_id, message.message_id)] = message
        return self._message_json(message)

    async def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            check_text(params.get("text"), params.get("parse_mode"))
            return True
        chat = self._chat(params.get("chat_id"))
        message = self._messages.get((chat.data["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        visible = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        if (params["text"], params.get("parse_mode"), markup) == (
            message.html,
            message.parse_mode,
            message.markup,
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.html, message.text, message.markup = params["text"], visible, markup
        message.parse_mode = params.get("parse_mode")
        message.edits += 1
        return {**self._message_json(message), "edit_date": int(time.time())}

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        self._close_query(query_id)
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    async def _answer_inline_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        self._close_query(query_id)
        results = params.get("results")
        if not isinstance(results, list) or len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") != "article" or not str(result.get("title", "")).strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            result["_visible"] = check_text(
                content.get("message_text"), content.get("parse_mode"), field_name="message"
            )
            check_markup(result.get("reply_markup"))
        self.inline_answers[query_id] = params
        return True

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code")
        scope = params.get("scope") or {"type": "default"}
        key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        self.commands[(key, language)] = commands
        return True

    def _close_query(self, query_id: str) -> None:
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)

    def _chat(self, chat_id: Any) -> _Chat:
        try:
            return self._chats[int(str(chat_id))]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _message_json(self, message: Sent) -> JsonDict:
        out: JsonDict = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chats[message.chat_id].data,
            "from": self.bot_user(),
            "text": message.text,
        }
        if message.markup:
            out["reply_markup"] = message.markup
        return out

    # --- the user's side -------------------------------------------------------------------------

    def user(self, language_code: str | None = "zh", first_name: str = "Alice") -> JsonDict:
        """A new user, with a private chat with the bot."""
        user: JsonDict = {"id": next(self._user_ids), "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        chat = {"id": user["id"], "type": "private", "first_name": first_name}
        self._chats[user["id"]] = _Chat(chat, private=True)
        return user

    def group(self, title: str = "Expo visitors") -> JsonDict:
        """A new supergroup the bot is a member of."""
        chat_id = -1_000_000_000_000 - next(self._group_ids)
        chat: JsonDict = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = _Chat(chat, private=False)
        return chat

    def text_update(
        self,
        user: JsonDict,
        text: str,
        *,
        chat: JsonDict | None = None,
        reply_to: Sent | None = None,
        edited: bool = False,
    ) -> JsonDict:
        """An update carrying a text message, with the entities Telegram would add."""
        message = self._message_from(user, chat)
        message["text"] = text
        entities = _entities(text)
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self._message_json(self._messages_get(reply_to))
        if edited:
            message["edit_date"] = int(time.time())
            return {"edited_message": message}
        return {"message": message}

    def media_update(self, user: JsonDict, kind: str, *, chat: JsonDict | None = None) -> JsonDict:
        """An update with a sticker, photo or voice note and no text."""
        message = self._message_from(user, chat)
        file = {"file_id": f"{kind}-file", "file_unique_id": f"{kind}-u"}
        media: dict[str, Any] = {
            "sticker": {
                **file,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
            "photo": [{**file, "width": 90, "height": 90}],
            "voice": {**file, "duration": 2},
        }
        message[kind] = media[kind]
        return {"message": message}

    def callback_update(self, user: JsonDict, message: Sent, data: str) -> JsonDict:
        """An update for a tap on an inline-keyboard button of a bot message."""
        query_id = f"cb{next(self._query_ids)}"
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{message.chat_id}",
            "data": data,
            "message": self._message_json(self._messages_get(message)),
        }
        return {"callback_query": query}

    def inline_tap(self, user: JsonDict, data: str, inline_message_id: str = "im-1") -> str:
        """Tap a button of a message sent in inline mode (the query has no message, only its
        inline_message_id); returns the callback query id."""
        query_id = f"cb{next(self._query_ids)}"
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "chat_instance": "ci-inline",
            "data": data,
            "inline_message_id": inline_message_id,
        }
        self.push({"callback_query": query})
        return query_id

    def inline_update(self, user: JsonDict, query: str) -> JsonDict:
        """An update for `@botname query` typed in any chat."""
        query_id = f"iq{next(self._query_ids)}"
        self._open_queries.add(query_id)
        return {"inline_query": {"id": query_id, "from": user, "query": query, "offset": ""}}

    def _message_from(self, user: JsonDict, chat: JsonDict | None) -> JsonDict:
        chat = chat or self._chats[user["id"]].data
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }

    def _messages_get(self, message: Sent) -> Sent:
        return self._messages[(message.chat_id, message.message_id)]

    def push(self, update: JsonDict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self.last_update_id = int(update["update_id"])
        self._pending.append(update)
        self._wake()
        return self.last_update_id

    def _wake(self) -> None:
        asyncio.get_running_loop().create_task(self._notify())

    async def deliver(
        self, update: JsonDict, *, url: str | None = None, secret: str | None = None
    ) -> int:
        """POST an update to the webhook, as Telegram does; returns the HTTP status."""
        if self._client is None or (url is None and self.webhook is None):
            raise AssertionError("no webhook is set")
        update = {"update_id": next(self._update_ids), **update}
        target = url or str((self.webhook or {})["url"])
        token = secret if secret is not None else (self.webhook or {}).get("secret_token")
        headers = {SECRET_HEADER: str(token)} if token else {}
        response = await self._client.post(target, json=update, headers=headers)
        return response.status_code

    def send_text(self, user: JsonDict, text: str, **kwargs: Any) -> int:
        return self.push(self.text_update(user, text, **kwargs))

    def tap(self, user: JsonDict, message: Sent, data: str) -> str:
        """Tap a button; returns the callback query id."""
        update = self.callback_update(user, message, data)
        self.push(update)
        return str(update["callback_query"]["id"])

    def inline(self, user: JsonDict, query: str) -> str:
        """Type an inline query; returns its id."""
        update = self.inline_update(user, query)
        self.push(update)
        return str(update["inline_query"]["id"])

    # --- awaiting the bot ------------------------------------------------------------------------

    async def wait_until(self, check: Callable[[], T | None], within: float = 10.0) -> T:
        """Wait until `check()` returns something truthy, and return it (AssertionError after
        `within` seconds, with a description of what the bot did)."""
        async with self._changed:
            try:
                result = await asyncio.wait_for(self._changed.wait_for(check), within)
            except TimeoutError:
                raise AssertionError(f"timed out; {self.describe()}") from None
        assert result is not None
        return result

    def messages_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    async def messages(self, chat_id: int, count: int = 1, within: float = 10.0) -> list[Sent]:
        """The first `count` messages the bot sent to a chat, once there are that many."""

        def enough() -> list[Sent] | None:
            found = self.messages_to(chat_id)
            return found[:count] if len(found) >= count else None

        return await self.wait_until(enough, within)

    async def fetched(self, update_id: int, within: float = 10.0) -> None:
        """Wait until the bot has fetched this update (asked for a higher offset)."""
        await self.wait_until(lambda: self.confirmed > update_id, within)

    def rejected(self) -> list[Call]:
        """Requests the stand-in refused with a 4xx, other than faults a test injected."""
        return [c for c in self.calls if 400 <= c.status < 500 and not c.injected]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def describe(self) -> str:
        sent = [(m.chat_id, m.text[:40]) for m in self.sent[-5:]]
        recent = [(c.method, c.status, c.description[:80]) for c in self.calls[-8:]]
        return f"last sent {sent}; last calls {recent}; pending {len(self._pending)}"

    # --- load ---------------------------------------------------------------------------------

    async def burst(self, questions: Sequence[str], within: float) -> JsonDict:
        """Push one question from each of len(questions) new users at once; time the replies."""
        users = [self.user("zh" if i % 2 else "en") for i in range(len(questions))]
        cpu = time.process_time()
        start = time.perf_counter()
        pushed = {}
        for user, question in zip(users, questions, strict=True):
            self._pending.append(
                {"update_id": next(self._update_ids), **self.text_update(user, question)}
            )
            pushed[user["id"]] = time.perf_counter()
        self._wake()
        first_reply: dict[int, float] = {}
        cursor = len(self.sent)

        def all_answered() -> bool:
            nonlocal cursor
            for message in self.sent[cursor:]:
                first_reply.setdefault(message.chat_id, message.at)
            cursor = len(self.sent)
            return len(first_reply) >= len(users)

        with contextlib.suppress(AssertionError):  # report what did arrive
            await self.wait_until(all_answered, within)
        latencies = sorted(first_reply[u] - pushed[u] for u in first_reply if u in pushed)
        end = max(first_reply.values(), default=start)
        return {
            "updates": len(users),
            "answered": len(first_reply),
            "elapsed": end - start,
            "latencies": latencies,
            "rejected": len(self.rejected()),
            "server_errors": sum(1 for c in self.calls if c.status >= 500 and not c.injected),
            "cpu": time.process_time() - cpu,
        }


def _decode_params(content_type: str, body: bytes) -> JsonDict:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    params: JsonDict = dict(parse_qsl(body.decode(), keep_blank_values=True))
    for name in _JSON_FIELDS & set(params):
        try:
            params[name] = json.loads(params[name])
        except ValueError:
            params[name] = {"_unparsable": params[name]}
    for name in _INT_FIELDS & set(params):
        with contextlib.suppress(ValueError):
            params[name] = int(params[name])
    return params


_ENTITY_PATTERNS = (
    ("bot_command", re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?")),
    ("mention", re.compile(r"@\w{5,32}")),
)


def _entities(text: str) -> list[JsonDict]:
    """The entities Telegram's clients attach: a command at the start, @mentions anywhere."""
    out = []
    for kind, pattern in _ENTITY_PATTERNS:
        for m in pattern.finditer(text):
            if kind == "mention" and m.start() > 0 and text[m.start() - 1] not in " \n\t":
                continue
            offset = utf16_len(text[: m.start()])
            out.append({"type": kind, "offset": offset, "length": utf16_len(m.group(0))})
    return sorted(out, key=lambda e: e["offset"])


# --- running in another process (benchmarks) ---------------------------------------------------


def serve_in_process(conn: Connection) -> None:
    """Run a stand-in in this process, driven over `conn`: ("burst", questions, timeout) or
    ("stop",). Sends back the port first, then one stats dict per burst."""
    asyncio.run(_serve_commands(conn))


async def _serve_commands(conn: Connection) -> None:
    api = FakeBotApi()
    await api.start()
    conn.send(api.port)
    loop = asyncio.get_running_loop()
    try:
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "burst":
                conn.send(await api.burst(command[1], command[2]))
            else:
                break
    finally:
        await api.stop()
