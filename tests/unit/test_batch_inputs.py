"""Batch input parsing, request planning and the Batch service file format (pure)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.batch.inputs import parse_input
from qwenchat.batch.plan import Defaults, Job, plan_jobs
from qwenchat.batch.remote import MAX_BYTES, MAX_REQUESTS, batch_file, check_limits, records_from
from qwenchat.core.batch_records import Record, parse_record
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.errors import UsageError
from qwenchat.core.request import RequestOptions

CATALOGUE = Catalogue()
DEFAULTS = Defaults(model="qwen-plus", system=None, options=RequestOptions(), catalogue=CATALOGUE)


def jsonl(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def test_text_lines_are_prompts_with_line_number_ids() -> None:
    items = parse_input("first\n\n  second  \n", name="p.txt")
    assert [(i.id, i.prompt) for i in items] == [("1", "first"), ("3", "second")]


def test_jsonl_prompts_messages_and_parameters() -> None:
    text = jsonl(
        {"id": "a", "prompt": "hi", "temperature": 0.2, "stop": "END"},
        {"id": 7, "messages": [{"role": "user", "content": "yo"}], "model": "qwen-max"},
        {"prompt": "no id"},
    )
    items = parse_input(text, name="in.jsonl")
    assert [i.id for i in items] == ["a", "7", "3"]
    jobs = plan_jobs(items, DEFAULTS, name="in.jsonl", remote=False).jobs
    assert jobs[0].body["temperature"] == 0.2
    assert jobs[0].body["stop"] == "END"
    assert jobs[1].body["model"] == "qwen-max"
    assert jobs[1].body["messages"] == [{"role": "user", "content": "yo"}]


def test_every_bad_line_is_named_before_anything_is_sent() -> None:
    text = (
        '{"id": "a", "prompt": "ok"}\n'
        "not json\n"
        '{"id": "a", "prompt": "again"}\n'
        '{"id": "b", "prompt": "x", "temprature": 1}\n'
        '{"id": "c"}\n'
        '{"id": "d", "messages": [{"role": "user", "content": "q"}], "max_tokens": "9"}\n'
    )
    with pytest.raises(UsageError) as info:
        parse_input(text, name="in.jsonl")
    message = info.value.message
    assert "5 invalid lines" in message
    for fragment in ("line 2: not valid JSON", "line 3: id 'a' is already used on line 1",
                     "line 4: unknown field 'temprature'", "line 5: give exactly one of",
                     'line 6: "max_tokens" must be an integer'):  # fmt: skip
        assert fragment in message
    assert "\n" not in message


def test_out_of_range_parameters_are_reported_per_line() -> None:
    text = jsonl({"prompt": "a"}, {"prompt": "b", "temperature": 5})
    with pytest.raises(UsageError, match=r"line 2: temperature must be in \[0, 2\), got 5"):
        parse_input(text, name="x.jsonl")
    items = parse_input(jsonl({"prompt": "a"}, {"prompt": "b", "model": "qwq-plus"}), name="x")
    with pytest.raises(UsageError, match="line 2: qwq-plus answers only by streaming"):
        plan_jobs(items, DEFAULTS, name="x", remote=True)


def test_format_is_guessed_from_the_first_line() -> None:
    assert parse_input('{"prompt": "p"}\n', name="stdin")[0].prompt == "p"
    assert (
        parse_input("{not json} is a prompt\n", name="stdin")[0].prompt == "{not json} is a prompt"
    )
    assert parse_input('{"prompt": "p"}\n', name="stdin", fmt="text")[0].prompt == '{"prompt": "p"}'


def test_empty_input_is_an_error() -> None:
    with pytest.raises(UsageError, match="holds no prompts"):
        parse_input("\n  \n", name="empty.txt")


def test_remote_bodies_are_not_streamed_and_turn_thinking_off() -> None:
    items = parse_input("q\n", name="p.txt")
    defaults = Defaults("qwen3-32b", "be brief", RequestOptions(), CATALOGUE)
    body = plan_jobs(items, defaults, name="p", remote=True).jobs[0].body
    assert "stream" not in body
    assert "stream_options" not in body
    assert body["enable_thinking"] is False
    assert body["messages"][0] == {"role": "system", "content": "be brief"}


@pytest.mark.parametrize(
    ("model", "think", "needle"),
    [("qwq-plus", None, "only by streaming"), ("qwen3-32b", True, "thinking mode")],
)
def test_remote_refuses_what_needs_streaming(model: str, think: bool | None, needle: str) -> None:
    items = parse_input("q\n", name="p.txt")
    defaults = Defaults(model, None, RequestOptions(think=think), CATALOGUE)
    with pytest.raises(UsageError, match=needle):
        plan_jobs(items, defaults, name="p", remote=True)


def test_batch_file_lines_are_what_the_service_expects() -> None:
    jobs = [Job("a", {"model": "qwen-plus", "messages": [{"role": "user", "content": "你好"}]})]
    line = json.loads(batch_file(jobs).decode())
    assert line == {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
                    "body": jobs[0].body}  # fmt: skip


def test_limits_are_checked_before_upload() -> None:
    one = {"model": "qwen-plus", "messages": []}
    with pytest.raises(UsageError, match="more than the Batch service takes"):
        check_limits([Job(str(i), one) for i in range(MAX_REQUESTS + 1)], b"")
    with pytest.raises(UsageError, match="MiB"):
        check_limits([Job("a", one)], b"x" * (MAX_BYTES + 1))
    with pytest.raises(UsageError, match="one model"):
        check_limits([Job("a", one), Job("b", {**one, "model": "qwen-max"})], b"")


def test_service_results_map_back_by_custom_id() -> None:
    ok = {"custom_id": "b", "error": None, "response": {"status_code": 200, "body": {
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "fine"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}}}  # fmt: skip
    bad = {"custom_id": "a", "response": {"status_code": 400, "body": {
        "error": {"message": "bad input", "code": "invalid_parameter"}}},
        "error": {"code": "invalid_parameter", "message": "bad input"}}  # fmt: skip
    records = records_from([json.dumps(ok).encode(), (json.dumps(bad) + "\n").encode()])
    assert records["b"].answer == "fine"
    assert records["b"].usage == {"prompt_tokens": 3, "completion_tokens": 1,
                                  "reasoning_tokens": None, "total_tokens": 4}  # fmt: skip
    assert records["a"].error == {"message": "bad input", "status": 400,
                                  "code": "invalid_parameter"}  # fmt: skip


@given(
    st.builds(
        Record,
        id=st.text(min_size=1),
        answer=st.none() | st.text(),
        reasoning=st.none() | st.text(),
        usage=st.none() | st.fixed_dictionaries({"prompt_tokens": st.none() | st.integers(0)}),
        finish_reason=st.none() | st.sampled_from(["stop", "length"]),
        error=st.none() | st.fixed_dictionaries({"message": st.text()}),
    )
)
def test_records_survive_a_round_trip_through_a_line(record: Record) -> None:
    line = record.to_line()
    assert line.endswith("\n")
    assert "\n" not in line[:-1]
    assert parse_record(line) == record


@given(st.lists(st.text(st.characters(blacklist_categories=("Cc", "Zl", "Zp", "Cs"))), min_size=1))
def test_text_input_keeps_every_prompt_and_its_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    prompts = [(str(n), line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    if not prompts:
        with pytest.raises(UsageError):
            parse_input(text, name="p.txt")
        return
    assert [(i.id, i.prompt) for i in parse_input(text, name="p.txt")] == prompts
