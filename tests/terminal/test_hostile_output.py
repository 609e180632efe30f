"""Control sequences from outside never reach the terminal, the clipboard or an export."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from qwenchat.chat.clipboard import copy_to_clipboard
from tests.conftest import TEST_KEY, Cli, Result, assert_clean_failure, fake_clipboard
from tests.fakebatch import FakeBatches, Progression
from tests.fakeserver import Error
from tests.hostileserver import ESCAPES

# What must never come out: ESC, BEL, C1 controls (U+0080-U+009F), DEL.
CONTROLS = re.compile("[\x07\x1b\x7f-\x9f]")
EVIL_MODEL = "evil\x1b]0;owned\x07-model\x1b[31m\x9b2J"
CLEAN_ESCAPES = "red title clip paste-end c1 bell done"


def assert_no_controls(result: Result) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert not CONTROLS.search(result.stdout), repr(result.stdout)
    assert not CONTROLS.search(result.stderr), repr(result.stderr)


def test_an_answer_full_of_escapes_is_shown_clean(hostile: Cli) -> None:
    result = hostile("ask", "-m", "escape", "hi")
    assert result.exit_code == 0, result.stderr
    assert_no_controls(result)
    assert result.stdout == CLEAN_ESCAPES + "\n"


@pytest.mark.parametrize("piped", [False, True], ids=["in-process", "piped"])
def test_saved_titles_and_answers_come_back_clean(hostile: Cli, piped: bool) -> None:
    asked = hostile("ask", "-m", "escape", f"title {ESCAPES}")
    assert asked.exit_code == 0, asked.stderr
    run = hostile.subprocess if piped else hostile
    for args in (
        ("sessions", "list"),
        ("sessions", "list", "--json"),
        ("sessions", "show", "1"),
        ("sessions", "export", "1"),
        ("sessions", "export", "1", "-f", "json"),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert_no_controls(result)
    shown = run("sessions", "show", "1")
    assert CLEAN_ESCAPES in shown.stdout
    removed = run("sessions", "rm", "1", "--yes")
    assert removed.exit_code == 0
    assert_no_controls(removed)
    assert "deleted #1 title red title" in removed.stderr


def test_the_json_export_escapes_controls_and_keeps_the_text(hostile: Cli) -> None:
    hostile("ask", "-m", "escape", "hi")
    exported = hostile("sessions", "export", "1", "-f", "json")
    assert "\\u001b]52;" in exported.stdout
    assert "\\u009b2J" in exported.stdout  # C1 escaped too (json leaves it raw)
    assert json.loads(exported.stdout)["turns"][0]["answer"] == ESCAPES
    markdown = hostile("sessions", "export", "1")
    assert CLEAN_ESCAPES in markdown.stdout


def test_server_model_names_are_shown_clean(hostile: Cli) -> None:
    hostile.server.models = ["qwen-plus", EVIL_MODEL]
    for args in (("models",), ("models", "--json"), ("doctor",)):
        result = hostile(*args)
        assert_no_controls(result)


def test_doctor_shows_a_servers_error_clean(hostile: Cli) -> None:
    hostile.server.enqueue(Error(400, f"bad \x1b]0;owned\x07request {TEST_KEY}"))
    result = hostile("doctor")
    assert_no_controls(result)
    assert TEST_KEY not in result.stdout + result.stderr


def test_copy_puts_sanitised_text_on_the_clipboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clipboard, path = fake_clipboard(tmp_path)
    monkeypatch.setenv("PATH", path)
    said = copy_to_clipboard(ESCAPES + "\nrm -rf ~\n")
    assert said.startswith("copied")
    copied = clipboard.read_text()
    assert "\x1b" not in copied
    assert "201~" not in copied
    assert copied == CLEAN_ESCAPES + "\nrm -rf ~\n"


def _with_batch_id(service: FakeBatches, evil: str):  # type: ignore[no-untyped-def]
    """A route in front of the fake service that renames every new batch to `evil`."""

    def route(method: str, path: str, raw: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        answer = service.route(method, path, raw, headers)
        if answer is None or method != "POST" or not path.rstrip("/").endswith("/batches"):
            return answer
        status, ctype, body = answer
        value = json.loads(body)
        value["id"] = evil
        return status, ctype, json.dumps(value).encode()

    return route


def write_jsonl(cli: Cli) -> Path:
    path = cli.home / "work" / "in.jsonl"
    path.write_text(json.dumps({"id": "x", "prompt": "later"}) + "\n")
    return path


def test_a_hostile_batch_id_is_printed_clean(hostile: Cli) -> None:
    service = FakeBatches(hostile.server)
    hostile.server.routes.insert(0, _with_batch_id(service, "batch_\x1b]0;owned\x07x\x1b[2J"))
    result = hostile("batch", str(write_jsonl(hostile)), "--remote", "--no-wait")
    assert result.exit_code == 0, result.stderr
    assert_no_controls(result)
    assert result.stdout == "batch_x\n"


def test_a_hostile_batch_status_is_shown_clean(hostile: Cli) -> None:
    service = FakeBatches(hostile.server)
    service.script(Progression(("in_progress\x1b]0;owned\x07", "in_progress", "completed")))
    result = hostile("batch", str(write_jsonl(hostile)), "--remote", "--poll", "0.01")
    assert_no_controls(result)


def test_an_unknown_batch_status_stops_the_wait_after_a_bound(hostile: Cli) -> None:
    service = FakeBatches(hostile.server)
    service.script(Progression(("validating", *["mystery"] * 20, "completed")))
    result = hostile("batch", str(write_jsonl(hostile)), "--remote", "--poll", "0.01")
    assert_clean_failure(result, 1)
    assert "status qwenchat does not know ('mystery', 5 times in a row)" in result.stderr
    assert "qwenchat batch status batch_" in result.stderr


def test_batch_service_errors_never_print_the_key(hostile: Cli) -> None:
    def echo(method: str, path: str, raw: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        if "batches" not in path:
            return None
        error = {"message": f"no access for {TEST_KEY[:20]}", "code": "denied", "type": "x"}
        body = json.dumps({"error": error, "request_id": f"req-{TEST_KEY}"})
        return 403, "application/json", body.encode()

    hostile.server.routes.append(echo)
    for args in (("batch", "status", "batch_1"), ("batch", "list")):
        result = hostile(*args)
        assert_clean_failure(result, 1)
        assert TEST_KEY[:12] not in result.stderr
        assert "[key]" in result.stderr


HOSTILE_BYTES = (b"\x1b]0;owned", b"\x1b]52;", b"\x1b[201~", b"\xc2\x9b", b"\x07title")


def test_the_chat_shows_models_history_recap_and_echo_clean(hostile: Cli, tmp_path: Path) -> None:
    from tests.tty import PROMPT, Tty, paste, say

    clipboard, path = fake_clipboard(tmp_path)
    hostile.server.models = ["qwen-plus", EVIL_MODEL]
    env = hostile.env(
        TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30",
        PATH=path,
    )  # fmt: skip
    session = Tty("-m", "escape", env=env)
    try:
        session.wait_for(PROMPT)
        say(session, "hi")
        for command in ("/history", "/models", "/sessions", "/copy"):
            say(session, command)
        say(session, "", keys=paste(f"/model {EVIL_MODEL}") + "\r")
        session.wait_for("model: evil")
        shown = session.text().count("you: hi")
        say(session, "/resume 1")
        session.wait_for("you: hi", after=shown)  # the recap
        raw = bytes(session.raw)
    finally:
        session.close()
    for hostile_bytes in HOSTILE_BYTES:
        assert hostile_bytes not in raw, hostile_bytes
    assert "\x1b" not in clipboard.read_text()
    assert "red title clip" in session.text()


class _TerminalText(io.StringIO):
    """A stream that says it is a terminal, so the batch progress is the Rich bar."""

    def isatty(self) -> bool:
        return True


def test_a_remote_batch_status_reaches_the_progress_bar_as_plain_text() -> None:
    from qwenchat.render.progress import RichDisplay, display_for
    from qwenchat.render.terminal import Terminal

    stream = _TerminalText()
    display = display_for(Terminal(stdin=None, stdout=stream, stderr=stream))
    assert isinstance(display, RichDisplay)
    hostile_status = "validating\x1b]52;c;cm0gLXJmIH4=\x07 [bold]x[/bold]\x9b31m\x07"
    with display:
        display.status(hostile_status, done=1, failed=0, total=4)
    shown = stream.getvalue()
    assert "validating" in shown
    assert "[bold]x[/bold]" in shown  # markup from the service is shown, not obeyed
    for control in ("\x1b]", "\x07", "\x9b", "cm0gLXJmIH4="):
        assert control not in shown
