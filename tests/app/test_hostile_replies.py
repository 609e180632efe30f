"""Malformed and hostile replies: one line and an exit code, the turn kept, never a traceback."""

from __future__ import annotations

import json

import pytest

from qwenchat.core.redact import redact, redact_url
from qwenchat.net.reading import MAX_LINE
from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import DONE_FRAME, Frames, Raw, chunk_frame
from tests.hostileserver import SEPARATORS_ANSWER


def saved_turns(cli: Cli) -> list[tuple[str, str]]:
    """(model, answer) of every saved turn, oldest first, as `sessions export` gives them."""
    listed = cli("sessions", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    turns = []
    for summary in reversed(json.loads(listed.stdout)):
        exported = cli("sessions", "export", str(summary["id"]), "-f", "json")
        turns += [(t["model"], t["answer"]) for t in json.loads(exported.stdout)["turns"]]
    return turns


@pytest.mark.parametrize(
    ("model", "flags", "said"),
    [
        ("nested-chunk", (), "chunk nested too deeply"),
        ("bomb:body", ("--no-stream",), "reply nested too deeply"),
        ("bomb:body", (), "reply nested too deeply"),  # a JSON body to a streamed request
    ],
)
def test_nesting_bombs_are_one_line(
    hostile: Cli, model: str, flags: tuple[str, ...], said: str
) -> None:
    result = hostile("ask", *flags, "-m", model, "hi")
    assert_clean_failure(result, 1)
    assert said in result.stderr


def test_nested_tool_arguments_are_refused_not_parsed(hostile: Cli) -> None:
    result = hostile("ask", "--tools", "--yes-tools", "--tool-rounds", "1", "-m", "bomb:args", "hi")
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    assert "too long to show the user in full" in result.stderr
    assert result.exit_code == 1  # the model never stops asking: the round limit ends it


def test_lone_surrogates_become_replacement_characters_and_the_turn_is_saved(hostile: Cli) -> None:
    result = hostile("ask", "-m", "surrogate", "hi")
    assert_clean_failure(result, 1)  # the stream has no finish: incomplete, but kept
    assert "beforelone \ufffd after" in result.stdout
    assert "think \ufffd" in result.stderr
    assert saved_turns(hostile) == [("surrogate", "beforelone \ufffd after")]


def test_a_usage_count_above_two_to_the_63_is_unknown_and_the_turn_is_saved(hostile: Cli) -> None:
    result = hostile("ask", "-m", "huge-usage", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "counted\n"
    assert saved_turns(hostile) == [("huge-usage", "counted")]
    listed = hostile("usage")
    assert listed.exit_code == 0, listed.stderr


def test_a_4000_digit_tool_call_index_is_one_line(hostile: Cli) -> None:
    result = hostile("ask", "-m", "huge-index", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout.startswith("partial")
    assert saved_turns(hostile)[0][1] == "partial "


def test_line_separators_inside_a_streamed_answer_stay_in_it(hostile: Cli) -> None:
    result = hostile("ask", "-m", "u2028", "hi")
    assert result.exit_code == 0, result.stderr
    # U+0085 is a C1 control: the terminal never gets it; U+2028/U+2029 are text
    assert result.stdout == SEPARATORS_ANSWER.replace("\x85", "") + "\n"
    assert saved_turns(hostile) == [("u2028", SEPARATORS_ANSWER)]
    exported = hostile("sessions", "export", "1", "-f", "json")
    assert json.loads(exported.stdout)["turns"][0]["answer"] == SEPARATORS_ANSWER
    asked = hostile("ask", "first\u2028same line\nsecond line")
    assert asked.exit_code == 0, asked.stderr
    listed = hostile("sessions", "list")
    assert "first same line" in listed.stdout  # the title is the first \n line
    assert "second" not in listed.stdout


def test_a_crlf_stream_is_read(hostile: Cli) -> None:
    frame = chunk_frame({"content": "crlf ok"}, "stop").replace("\n", "\r\n")
    hostile.server.enqueue(Frames([frame, DONE_FRAME.replace("\n", "\r\n")]))
    result = hostile("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "crlf ok\n"


def test_one_sse_line_over_16_mib_is_refused(hostile: Cli) -> None:
    huge = b"data: " + b"x" * (MAX_LINE + 1024)
    hostile.server.enqueue(Frames([chunk_frame({"content": "start "}), huge]))
    result = hostile("ask", "hi")
    assert_clean_failure(result, 1)
    assert "one line of the stream is over 16 MiB" in result.stderr


def test_a_non_streamed_body_over_16_mib_is_refused(hostile: Cli) -> None:
    body = b'{"choices": [], "padding": "' + b"x" * (MAX_LINE + 1024) + b'"}'
    hostile.server.enqueue(Raw(body=body, content_type="application/json"))
    result = hostile("ask", "--no-stream", "hi")
    assert_clean_failure(result, 1)
    assert "the reply is over 16 MiB" in result.stderr


def test_a_trickling_server_cannot_hold_the_reply(hostile: Cli) -> None:
    # bytes keep coming (every 0.2 s, under the read timeout) but no event ever completes
    trickle: list[str | bytes] = [chunk_frame({"content": "begun "})]
    trickle += [b": tick"] * 40
    hostile.server.enqueue(Frames(trickle, delay=0.2))
    result = hostile("ask", "--timeout", "1", "hi")
    assert_clean_failure(result, 1)
    assert "no complete event from the server for 1 s" in result.stderr
    assert saved_turns(hostile)[0][1] == "begun "


@pytest.mark.parametrize("where", ["flag", "config"])
def test_max_time_is_an_overall_deadline(hostile: Cli, where: str) -> None:
    # every event completes in time: only the overall deadline stops it
    frames: list[str | bytes] = [chunk_frame({"content": "w "}) for _ in range(40)]
    hostile.server.enqueue(Frames(frames, delay=0.1))
    flags: tuple[str, ...] = ("--max-time", "1") if where == "flag" else ()
    if where == "config":
        config = hostile.home / "config" / "qwenchat" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("max_time = 1\n")
    result = hostile("ask", *flags, "hi")
    assert_clean_failure(result, 1)
    assert "longer than the --max-time of 1 s" in result.stderr
    assert result.stdout.startswith("w w ")


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_max_time_must_be_finite_and_positive(hostile: Cli, value: str) -> None:
    assert_clean_failure(hostile("ask", "--max-time", value, "hi"), 2)


def test_a_server_echoing_the_key_never_gets_it_printed(hostile: Cli) -> None:
    result = hostile("ask", "-m", "echo-key", "hi")
    assert_clean_failure(result, 1)
    assert TEST_KEY[:20] not in result.stderr  # not even the 20-character prefix
    assert TEST_KEY[5:17] not in result.stderr
    assert "(request id req-[key])" in result.stderr


def test_redact_masks_every_12_character_piece_and_url_passwords() -> None:
    key = "sk-test-0123456789abcdefghijk"
    assert redact(f"a {key[:12]} b {key[7:30]} c {key[:11]}", key) == (
        f"a [key] b [key] c {key[:11]}"
    )
    assert redact(f"x{key}y", key) == "x[key]y"
    assert redact("no secrets here", key) == "no secrets here"
    assert redact_url("cannot reach https://me:hunter2@host/v1") == (
        "cannot reach https://me:***@host/v1"
    )


def test_a_password_in_the_base_url_is_masked_in_errors_doctor_and_config(hostile: Cli) -> None:
    url = "http://me:hunter2-secret@127.0.0.1:9/v1"
    env = hostile.env(QWENCHAT_BASE_URL=url)
    for args in (("ask", "hi"), ("doctor",), ("config",)):
        result = hostile(*args, env=env)
        assert "Traceback" not in result.stdout + result.stderr
        assert "hunter2-secret" not in result.stdout + result.stderr, args


def test_a_key_inside_the_base_url_is_never_stored_or_printed(hostile: Cli) -> None:
    port = hostile.server.port
    env = hostile.env(QWENCHAT_BASE_URL=f"http://127.0.0.1:{port}/{TEST_KEY}/v1")
    result = hostile("ask", "hi", env=env)
    assert result.exit_code == 0, result.stderr
    exported = hostile("sessions", "export", "1", "-f", "json")
    assert TEST_KEY[:12] not in exported.stdout
    assert json.loads(exported.stdout)["turns"][0]["base_url"] == (
        f"http://127.0.0.1:{port}/[key]/v1"
    )
    database = (hostile.home / "data" / "qwenchat" / "conversations.db").read_bytes()
    assert TEST_KEY[:12].encode() not in database


def test_a_secret_a_dotenv_expands_into_the_base_url_is_never_stored(hostile: Cli) -> None:
    port = hostile.server.port
    secret = "tenant-7f3a9c1e55"
    (hostile.home / "work" / ".env").write_text(
        f"DASHSCOPE_API_KEY={TEST_KEY}\nTENANT={secret}\n"
        f"QWENCHAT_BASE_URL=http://127.0.0.1:{port}/${{TENANT}}/v1\n",
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in hostile.env().items()
        if k not in ("DASHSCOPE_API_KEY", "QWENCHAT_BASE_URL")
    }
    result = hostile("ask", "hi", env=env)
    assert result.exit_code == 0, result.stderr
    assert hostile.server.chat_requests[-1].path.startswith(f"/{secret}/v1/")  # sent expanded
    exported = hostile("sessions", "export", "1", "-f", "json", env=env)
    assert json.loads(exported.stdout)["turns"][0]["base_url"] == (
        f"http://127.0.0.1:{port}/${{TENANT}}/v1"  # stored as the .env wrote it
    )
    database = (hostile.home / "data" / "qwenchat" / "conversations.db").read_bytes()
    assert secret.encode() not in database
