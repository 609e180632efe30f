"""Keys typed during a reply: which lines they send, which text waits in the next prompt."""

from __future__ import annotations

from qwenchat.core.typed_keys import typed_lines


def one_key_at_a_time(text: str, start: float = 0.0) -> list[tuple[float, bytes]]:
    return [(start + 0.1 * i, char.encode()) for i, char in enumerate(text)]


def test_a_typed_enter_sends_the_line() -> None:
    assert typed_lines(one_key_at_a_time("hello\r/exit\r")) == (["hello", "/exit"], "")


def test_text_without_enter_waits() -> None:
    assert typed_lines(one_key_at_a_time("hel\x7flo")) == ([], "helo")


def test_a_paste_is_one_message() -> None:
    pasted = [(0.0, b"one\rtwo\rthree\r")]
    assert typed_lines(pasted) == (["one\ntwo\nthree"], "")


def test_a_paste_split_over_reads_is_still_one_burst() -> None:
    pasted = [(0.0, b"one\rtw"), (0.001, b"o\r")]
    assert typed_lines(pasted) == (["one\ntwo"], "")


def test_bracketed_paste_and_escape_sequences() -> None:
    chunks = [(0.0, b"\x1b[200~a\rb\x1b[201~"), (1.0, b"\x1b[A"), (2.0, b"\xc3\xa9"), (3.0, b"\r")]
    assert typed_lines(chunks) == (["a\nb\u00e9"], "")


def test_the_text_left_before_continues() -> None:
    assert typed_lines(one_key_at_a_time("lo\r"), start="hel") == (["hello"], "")
