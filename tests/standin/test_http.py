"""The HTTP surface: routes, token check, parameter encodings and Telegram's error format."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.standin import StandIn


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def test_urls_need_a_running_server() -> None:
    standin = StandIn()
    with pytest.raises(RuntimeError):
        _ = standin.base_url


async def test_base_urls(standin: StandIn) -> None:
    assert standin.base_url.startswith("http://127.0.0.1:")
    assert standin.base_url.endswith("/bot")
    assert standin.base_file_url == standin.base_url.replace("/bot", "/file/bot")


async def test_wrong_token_is_unauthorized(standin: StandIn, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{standin.base_url}123456:WRONG/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    assert standin.calls == []


async def test_unknown_method_is_not_found(standin: StandIn, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{standin.base_url}{standin.token}/sendSticker") as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }
    async with http.get(f"{standin.origin}/nothing/here") as response:
        assert response.status == 404
        assert (await response.json())["description"] == "Not Found"


async def test_method_names_are_case_insensitive_and_get_works(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{standin.base_url}{standin.token}/GETME") as response:
        body = await response.json()
    assert response.status == 200
    assert body["ok"] is True
    assert body["result"]["username"] == "SalesCoachBot"
    assert body["result"]["id"] == 123456
    assert standin.calls[-1].method == "getMe"


async def test_query_string_form_json_and_multipart(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    url = f"{standin.base_url}{standin.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}

    async with http.get(url, params={"chat_id": str(alice.id), "text": "query"}) as response:
        assert (await response.json())["result"]["text"] == "query"
    form = {"chat_id": str(alice.id), "text": "form", "reply_markup": json.dumps(markup)}
    async with http.post(url, data=form) as response:
        result = (await response.json())["result"]
        assert result["text"] == "form"
        assert result["reply_markup"] == markup
    async with http.post(
        url, json={"chat_id": alice.id, "text": "json", "reply_markup": markup}
    ) as response:
        assert (await response.json())["result"]["reply_markup"] == markup
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(alice.id))
    multipart.add_field("text", "multipart")
    async with http.post(url, data=multipart) as response:
        assert (await response.json())["result"]["text"] == "multipart"

    assert [m.text for m in alice.inbox] == ["query", "form", "json", "multipart"]
    assert standin.calls[-3].params["reply_markup"] == markup
    assert standin.calls[-3].params["chat_id"] == alice.id


async def test_error_format_and_status(standin: StandIn, http: aiohttp.ClientSession) -> None:
    url = f"{standin.base_url}{standin.token}/sendMessage"
    async with http.post(url, json={"chat_id": 42, "text": "x"}) as response:
        assert response.status == 400
        assert await response.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: chat not found",
        }
    call = standin.calls[-1]
    assert (call.ok, call.error_code, call.description) == (
        False,
        400,
        "Bad Request: chat not found",
    )


async def test_retry_after_and_migrate_parameters(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    creator = standin.add_user("Carol")
    group = standin.add_group("East team", members={creator: "creator"})
    group.add_bot(by=creator)
    group.migrate_to_supergroup()
    url = f"{standin.base_url}{standin.token}/sendMessage"
    async with http.post(url, json={"chat_id": group.id, "text": "x"}) as response:
        body = await response.json()
    assert response.status == 400
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    assert body["parameters"] == {"migrate_to_chat_id": group.migrated_to.id}

    standin.faults.fail_next("getMe", retry_after=7)
    async with http.get(f"{standin.base_url}{standin.token}/getMe") as response:
        body = await response.json()
    assert response.status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_webhook_methods_add_description(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{standin.base_url}{standin.token}/deleteWebhook") as response:
        assert await response.json() == {
            "ok": True,
            "result": True,
            "description": "Webhook is already deleted",
        }


async def test_invalid_json_parameter(standin: StandIn, http: aiohttp.ClientSession) -> None:
    alice = standin.add_user("Alice")
    alice.send("hi")
    url = f"{standin.base_url}{standin.token}/sendMessage"
    data = {"chat_id": str(alice.id), "text": "x", "reply_markup": "{not json"}
    async with http.post(url, data=data) as response:
        body = await response.json()
    assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    assert alice.inbox == []


async def test_file_route_requires_token_and_known_path(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    alice = standin.add_user("Alice")
    update = alice.send_document("plan.txt", b"quota: 10", mime_type="text/plain")
    assert update is not None
    file = await standin.call("getFile", file_id=update["message"]["document"]["file_id"])
    async with http.get(f"{standin.base_file_url}{standin.token}/{file['file_path']}") as response:
        assert response.status == 200
        assert await response.read() == b"quota: 10"
        assert response.headers["Content-Type"].startswith("text/plain")
    async with http.get(f"{standin.base_file_url}bad:token/{file['file_path']}") as response:
        assert response.status == 401
    async with http.get(f"{standin.base_file_url}{standin.token}/documents/none.txt") as response:
        assert response.status == 404
