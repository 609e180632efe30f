"""Qwen-Long: documents uploaded with purpose file-extract, named in a `fileid://` system
message, uploaded once per content hash; `qwenchat files list|rm`."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, assert_clean_failure
from tests.fakebatch import FakeBatches
from tests.images import png

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def files(cli: Cli) -> FakeBatches:
    return FakeBatches(cli.server)


def test_document_is_uploaded_and_named_by_file_id(cli: Cli, files: FakeBatches) -> None:
    (cli.home / "work" / "report.pdf").write_bytes(PDF)
    result = cli("ask", "-m", "qwen-long", "-a", "report.pdf", "summarise")
    assert result.exit_code == 0, result.stderr
    [upload] = files.uploads("file-extract")
    assert (upload.filename, upload.data) == ("report.pdf", PDF)
    assert upload.id.startswith("file-fe-")
    posts = [r for r in cli.server.requests if r.method == "POST" and r.path.endswith("/files")]
    assert len(posts) == 1
    assert b'name="purpose"\r\n\r\nfile-extract\r\n' in posts[0].raw
    assert cli.server.chat_requests[0].body["messages"] == [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "system", "content": f"fileid://{upload.id}"},
        {"role": "user", "content": "summarise"},
    ]


def test_follow_up_reuses_the_file_id_and_text_files_go_by_id_too(
    cli: Cli, files: FakeBatches
) -> None:
    work = cli.home / "work"
    (work / "report.pdf").write_bytes(PDF)
    (work / "notes.md").write_text("# notes", encoding="utf-8")
    args = ("-m", "qwen-long", "-s", "Be brief.", "--session", "doc")
    first = cli("ask", *args, "-a", "report.pdf", "-a", "notes.md", "summarise")
    assert first.exit_code == 0, first.stderr
    second = cli("ask", "--session", "doc", "and the conclusion?")
    assert second.exit_code == 0, second.stderr
    ids = [f.id for f in files.uploads("file-extract")]
    assert len(ids) == 2  # nothing uploaded again
    messages = cli.server.chat_requests[1].body["messages"]
    assert messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": f"fileid://{ids[0]},fileid://{ids[1]}"},
        {"role": "user", "content": "summarise"},
        {"role": "assistant", "content": "echo: summarise"},
        {"role": "user", "content": "and the conclusion?"},
    ]


def test_document_for_another_model_is_refused(cli: Cli, files: FakeBatches) -> None:
    (cli.home / "work" / "report.pdf").write_bytes(PDF)
    result = cli("ask", "-m", "qwen-plus", "-a", "report.pdf", "summarise")
    assert_clean_failure(result, 2)
    assert "only Qwen-Long reads documents" in result.stderr
    assert cli.server.requests == []


def test_image_for_qwen_long_is_refused_before_any_upload(cli: Cli, files: FakeBatches) -> None:
    (cli.home / "work" / "report.pdf").write_bytes(PDF)
    (cli.home / "work" / "cat.png").write_bytes(png())
    result = cli("ask", "-m", "qwen-long", "-a", "report.pdf", "-a", "cat.png", "q")
    assert_clean_failure(result, 2)
    assert "qwen-long cannot see images" in result.stderr
    assert cli.server.requests == []


def test_files_list_and_rm(cli: Cli, files: FakeBatches) -> None:
    (cli.home / "work" / "report.pdf").write_bytes(PDF)
    assert cli("ask", "-m", "qwen-long", "-a", "report.pdf", "summarise").exit_code == 0
    [upload] = files.uploads("file-extract")
    listed = cli("files", "list")
    assert listed.exit_code == 0, listed.stderr
    assert upload.id in listed.stdout
    assert "report.pdf" in listed.stdout
    rows = json.loads(cli("files", "list", "--json").stdout)
    assert [(r["id"], r["size"], r["filename"]) for r in rows] == [
        (upload.id, len(PDF), "report.pdf")
    ]
    removed = cli("files", "rm", upload.id)
    assert removed.exit_code == 0, removed.stderr
    assert files.uploads("file-extract") == []
    assert cli("ask", "-m", "qwen-long", "-a", "report.pdf", "again").exit_code == 0
    assert len(files.uploads("file-extract")) == 1  # forgotten, so uploaded anew


def test_rm_of_an_unknown_file_is_one_line(cli: Cli, files: FakeBatches) -> None:
    result = cli("files", "rm", "file-fe-nope")
    assert_clean_failure(result, 1)
    assert "files list" in result.stderr
