"""`qwenchat serve` over real HTTP on 127.0.0.1, against the loopback DashScope server.

The server is the real command in a subprocess; its turns go through the same engine and
store as `ask` (checked by continuing a page conversation from the terminal and back).
"""

from __future__ import annotations

import base64
import resource
import socket
import time
from collections.abc import Iterator

import pytest

from tests import images
from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Error, Reply
from tests.serving import Served


@pytest.fixture
def served(cli: Cli) -> Iterator[Served]:
    with Served(cli.env(QWENCHAT_RETRIES="0")) as running:
        yield running
        assert all(TEST_KEY.encode() not in seen for seen in running.seen)


def kinds(frames: list[object]) -> list[str]:
    return [f["type"] if isinstance(f, dict) else str(f) for f in frames]


def test_binds_loopback_and_prints_an_address_with_a_token(served: Served) -> None:
    assert served.host == "127.0.0.1"
    assert len(served.token) >= 40
    page = served.request("GET", "/", token=None)
    assert page.status == 200
    assert b'<script src="/app.js">' in page.body
    assert b"http" not in page.body.split(b"<body>")[1]  # nothing loaded from elsewhere
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"


def test_every_api_request_needs_the_token(served: Served) -> None:
    assert served.request("GET", "/api/state", token=None).status == 401
    assert served.request("GET", "/api/state", token="not-the-token").status == 401
    assert served.request("GET", "/api/conversations", token=None).status == 401
    assert served.request("POST", "/api/chat", {"text": "hi"}, token=None).status == 401
    assert served.request("GET", "/api/state").status == 200


def test_another_host_name_is_refused_against_dns_rebinding(served: Served) -> None:
    for path in ("/", "/api/state"):
        answer = served.request("GET", path, headers={"Host": f"attacker.example:{served.port}"})
        assert answer.status == 403
    assert served.request("GET", "/", headers={"Host": f"localhost:{served.port}"}).status == 200


def test_cross_site_requests_are_refused_and_no_cors_is_granted(served: Served) -> None:
    evil = {"Origin": "http://attacker.example"}
    assert served.request("POST", "/api/chat", {"text": "hi"}, headers=evil).status == 403
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert served.request("GET", "/api/state", headers=cross).status == 403
    own = served.request("GET", "/api/state", headers={"Origin": served.origin})
    assert own.status == 200
    preflight = served.request(
        "OPTIONS", "/api/chat", token=None,
        headers={**evil, "Access-Control-Request-Method": "POST"},
    )  # fmt: skip
    assert preflight.status in (401, 403)
    for answer in (own, preflight):
        assert not any(name.startswith("access-control-") for name in answer.headers)


def test_a_form_post_is_refused_json_only(served: Served) -> None:
    form = served.request(
        "POST", "/api/chat", raw=b"text=hi",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert form.status == 415
    assert served.request("POST", "/api/chat", raw=b"[1]",
                          headers={"Content-Type": "application/json"}).status == 400  # fmt: skip


def test_a_turn_streams_as_sse_and_is_saved_for_the_terminal(served: Served, cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="Rayleigh scattering.", reasoning="Light and air."))
    answer = served.chat(text="why is the sky blue", model="qwq-plus")
    assert answer.headers["content-type"].startswith("text/event-stream")
    frames = answer.frames()
    assert kinds(frames)[0] == "start"
    assert frames[-1] == "[DONE]"
    statuses = [f["status"] for f in frames if isinstance(f, dict) and f["type"] == "status"]
    assert statuses == ["waiting", "thinking", "generating"]
    text = "".join(f["text"] for f in frames if isinstance(f, dict) and f["type"] == "answer")
    thought = "".join(f["text"] for f in frames if isinstance(f, dict) and f["type"] == "reasoning")
    assert (text, thought) == ("Rayleigh scattering.", "Light and air.")
    finish = next(f for f in frames if isinstance(f, dict) and f["type"] == "finish")
    assert finish["status"] == "finished"
    assert " in · " in finish["usage"]
    saved = next(f for f in frames if isinstance(f, dict) and f["type"] == "saved")
    number = saved["conversation"]
    listed = cli.subprocess("sessions", "list")
    assert "why is the sky blue" in listed.stdout
    # the terminal continues the page's conversation (by name, and with -c)
    assert (
        served.request("POST", f"/api/conversations/{number}/rename", {"name": "sky"}).status == 200
    )
    cli.server.enqueue(Reply(answer="Because of the sun."))
    follow = cli.subprocess("ask", "--session", "sky", "and at sunset?")
    assert follow.exit_code == 0, follow.stderr
    sent = cli.server.chat_requests[-1].body["messages"]
    assert [m["role"] for m in sent][-3:] == ["user", "assistant", "user"]
    assert sent[-2]["content"] == "Rayleigh scattering."
    shown = served.request("GET", f"/api/conversations/{number}").json()
    assert [t["user"] for t in shown["turns"]] == ["why is the sky blue", "and at sunset?"]
    assert shown["turns"][0]["reasoning"] == "Light and air."
    first, second = (t["usage"] for t in shown["turns"])
    assert finish["usage"].startswith(first + " · first token")  # as the page showed it live
    counts = [[int(n) for n in line.split(" ")[0:4:3]] for line in (first, second)]
    assert shown["total"] == f"{counts[0][0] + counts[1][0]} in · {counts[0][1] + counts[1][1]} out"


def test_the_page_continues_a_terminal_conversation(served: Served, cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="Noted: 42."))
    assert cli.subprocess("ask", "--session", "notes", "remember 42").exit_code == 0
    listed = served.request("GET", "/api/conversations").json()
    found = next(c for c in listed if c["name"] == "notes")
    assert found["source"] == "ask"
    cli.server.enqueue(Reply(answer="It was 42."))
    frames = served.chat(conversation=found["id"], text="what number?").frames()
    assert kinds(frames)[-2:] == ["saved", "[DONE]"]
    sent = cli.server.chat_requests[-1].body["messages"]
    assert [m["content"] for m in sent if m["role"] == "assistant"] == ["Noted: 42."]
    again = cli.subprocess("ask", "-c", "and twice that?")
    assert again.exit_code == 0
    assert len(served.request("GET", f"/api/conversations/{found['id']}").json()["turns"]) == 3


def test_stop_ends_the_reply_and_keeps_the_partial_answer(served: Served, cli: Cli) -> None:
    import http.client
    import json

    cli.server.enqueue(Reply(answer="word " * 400, chunk_size=5, delay=0.02))
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    body = json.dumps({"text": "talk for a long time"}).encode()
    connection.request("POST", "/api/chat", body, {
        "Authorization": f"Bearer {served.token}", "Content-Type": "application/json",
    })  # fmt: skip
    response = connection.getresponse()
    start = json.loads(response.readline().decode()[6:])
    assert start["type"] == "start"
    seen = b""
    while seen.count(b'"answer"') < 5:
        seen += response.readline()
    assert served.request("POST", "/api/stop", {"turn": start["turn"]}).json() == {"stopping": True}
    rest = (seen + response.read()).decode()
    connection.close()
    assert '"status": "stopped"' in rest
    assert rest.endswith("data: [DONE]\n\n")
    saved = next(json.loads(line[6:]) for line in rest.splitlines() if '"saved"' in line)
    turn = served.request("GET", f"/api/conversations/{saved['conversation']}").json()["turns"][0]
    assert turn["status"] == "stopped"
    assert turn["answer"].startswith("word word")
    assert len(turn["answer"]) < len("word " * 400)
    shown = cli.subprocess("sessions", "show", str(saved["conversation"]))
    assert "word word" in shown.stdout


def test_a_conversation_a_terminal_chat_has_open_is_refused(served: Served, cli: Cli) -> None:
    from qwenchat.store.locks import hold

    first = served.chat(text="hello").frames()
    number = first[-2]["conversation"]
    held = hold(cli.home / "data" / "qwenchat", number)  # as a running chat holds it
    assert held is not None
    try:
        refused = served.chat(conversation=number, text="again").frames()
    finally:
        held.release()
    line = next(f["text"] for f in refused if isinstance(f, dict) and f["type"] == "error")
    assert "open in a chat in the terminal" in line
    assert len(cli.server.chat_requests) == 1  # nothing was sent
    assert "error" not in kinds(served.chat(conversation=number, text="now?").frames())


def test_a_page_closed_mid_reply_saves_it_as_stopped(served: Served, cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="more " * 2000, chunk_size=5, delay=0.01))
    sock = socket.create_connection((served.host, served.port), timeout=10)
    body = b'{"text": "go on"}'
    sock.sendall(
        b"POST /api/chat HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (served.host.encode(), served.port, served.token.encode(), len(body), body)
    )
    seen = b""
    while seen.count(b'"answer"') < 3:
        seen += sock.recv(4096)
    sock.close()  # the tab is closed

    def saved() -> list[dict[str, str]]:
        listed = served.request("GET", "/api/conversations").json()
        if not listed:
            return []
        return served.request("GET", f"/api/conversations/{listed[0]['id']}").json()["turns"]

    deadline = time.monotonic() + 20
    while not saved() and time.monotonic() < deadline:
        time.sleep(0.1)
    turn = saved()[0]
    assert turn["status"] == "stopped"
    assert turn["answer"].startswith("more more")
    assert len(turn["answer"]) < len("more " * 2000)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (Error(401, "Invalid API-key provided.", code="invalid_api_key"), "401"),
        (Error(429, "Requests rate limit exceeded", code="Throttling"), "429"),
        (
            Error(
                400, "Input data may contain inappropriate content.", code="data_inspection_failed"
            ),
            "inappropriate",
        ),
    ],
)
def test_an_error_is_one_readable_line_and_the_conversation_stays(
    served: Served, cli: Cli, error: Error, said: str
) -> None:
    cli.server.enqueue(Reply(answer="first answer"))
    first = served.chat(text="first").frames()
    number = first[-2]["conversation"]
    cli.server.enqueue(error)
    frames = served.chat(conversation=number, text="second").frames()
    line = next(f["text"] for f in frames if isinstance(f, dict) and f["type"] == "error")
    assert said in line
    assert "\n" not in line
    assert "{" not in line
    assert frames[-1] == "[DONE]"
    turns = served.request("GET", f"/api/conversations/{number}").json()["turns"]
    assert [t["answer"] for t in turns] == ["first answer"]


def test_a_network_failure_is_one_line(cli: Cli) -> None:
    env = cli.env(QWENCHAT_RETRIES="0", QWENCHAT_BASE_URL="http://127.0.0.1:9/v1")
    with Served(env) as served:
        frames = served.chat(text="anyone there?").frames()
        line = next(f["text"] for f in frames if isinstance(f, dict) and f["type"] == "error")
        assert "\n" not in line
        assert line
        assert served.request("GET", "/api/conversations").json() == []


def test_the_key_never_reaches_the_page_even_when_echoed(served: Served, cli: Cli) -> None:
    frames = served.chat(text=f"my key is {TEST_KEY}")  # echoed back, split across chunks
    answer = "".join(f["text"] for f in frames.frames() if isinstance(f, dict) and "text" in f)
    assert answer == "echo: my key is [key]"
    cli.server.enqueue(Reply(answer=f"a prefix {TEST_KEY[:14]} and {TEST_KEY[5:20]}."))
    pieces = served.chat(text="quote it").frames()
    answer = "".join(f["text"] for f in pieces if isinstance(f, dict) and f["type"] == "answer")
    assert answer == "a prefix [key] and [key]."
    assert TEST_KEY.encode() not in served.request("GET", "/api/state").body
    for path in ("/", "/app.js"):
        assert TEST_KEY.encode() not in served.request("GET", path, token=None).body


def test_control_sequences_from_the_model_are_removed(served: Served, cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="red \x1b[31mtext\x1b]0;owned\x07 done\x08"))
    answer = served.chat(text="colour")
    body = answer.body.decode()
    assert "\\u001b" not in body
    assert "\\u0007" not in body
    assert "\\b" not in body
    frames = [f for f in answer.frames() if isinstance(f, dict) and f["type"] == "answer"]
    assert "".join(f["text"] for f in frames) == "red text done"


def test_attachments_pass_the_same_checks_as_dash_a(served: Served, cli: Cli) -> None:
    notes = base64.b64encode(b"the meeting is at noon").decode()
    frames = served.chat(text="when?", attachments=[{"name": "notes.txt", "data": notes}])
    assert "the meeting is at noon" in str(cli.server.chat_requests[-1].body["messages"])
    assert "error" not in kinds(frames.frames())
    before = len(cli.server.chat_requests)
    binary = base64.b64encode(b"\x00\x01\x02junk").decode()
    refused = served.chat(text="what?", attachments=[{"name": "x.bin", "data": binary}])
    assert refused.status == 400
    assert "binary" in refused.json()["error"]
    png = base64.b64encode(images.png()).decode()
    picture = [{"name": "a.png", "data": png}]
    image = served.chat(text="look", model="qwen-mt-turbo", attachments=picture)
    line = next(f["text"] for f in image.frames() if isinstance(f, dict) and f["type"] == "error")
    assert "cannot see images" in line
    assert len(cli.server.chat_requests) == before  # nothing was sent for either
    seen = served.chat(text="look", model="qwen-vl-max", attachments=picture)
    assert "error" not in kinds(seen.frames())
    assert "data:image/png;base64," in str(cli.server.chat_requests[-1].body["messages"])


def test_large_bodies_and_a_flood_of_connections_do_not_take_it_down(served: Served) -> None:
    huge = served.request(
        "POST", "/api/chat", raw=b"",
        headers={"Content-Type": "application/json", "Content-Length": str(64 * 1024 * 1024)},
    )  # fmt: skip
    assert huge.status == 413
    junk = served.request("POST", "/api/chat", raw=b"x" * (10 * 1024 * 1024),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert junk.status == 400
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4096)), hard))
    sockets = []
    deadline = time.monotonic() + 30
    try:
        for _ in range(1000):  # bounded: 1,000 idle connections on 127.0.0.1 only
            sockets.append(socket.create_connection((served.host, served.port), timeout=5))
            assert time.monotonic() < deadline
        answer = served.request("GET", "/api/state", timeout=10)
        assert answer.status in (200, 503)
    finally:
        for sock in sockets:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert served.request("GET", "/api/state").status == 200


def test_ctrl_c_stops_it_cleanly(served: Served) -> None:
    code, err = served.stop()
    assert code == 0
    assert "Traceback" not in err
    assert "stopped" in err


def test_another_address_needs_host_and_is_warned_about(cli: Cli) -> None:
    with Served(cli.env(), "--host", "127.0.0.2") as served:
        assert served.host == "127.0.0.2"
        assert served.request("GET", "/api/state").status == 200
        code, err = served.stop()
    assert code == 0
    assert "warning: serving on 127.0.0.2" in err
