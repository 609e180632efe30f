"""sanitize / Sanitizer: every kind of control sequence removed, whole or split across chunks."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwenchat.core.sanitize import MAX_SEQUENCE, Sanitizer, sanitize

ESC = "\x1b"
ST = ESC + "\\"
UNICODE = "中文，没有空格😀 e\u0301 \u2028"

CASES = [
    pytest.param(f"a{ESC}[31mb{ESC}[0m", "ab", id="csi-sgr"),
    pytest.param(f"a{ESC}[?1049hb", "ab", id="csi-private"),
    pytest.param(f"a{ESC}[2 qb", "ab", id="csi-intermediate"),
    pytest.param(f"a{ESC}]0;evil title\x07b", "ab", id="osc-title-bel"),
    pytest.param(f"a{ESC}]52;c;aGVsbG8={ST}b", "ab", id="osc52-clipboard-st"),
    pytest.param(f"a{ESC}]8;;http://x.test{ST}link{ESC}]8;;{ST}b", "alinkb", id="osc8-hyperlink"),
    pytest.param(f"a{ESC}]0;t\x9cb", "ab", id="osc-8bit-st"),
    pytest.param(f"a{ESC}Pq#0;2;0;0;0{ST}b", "ab", id="dcs"),
    pytest.param(f"a{ESC}Xsos{ST}b", "ab", id="sos"),
    pytest.param(f"a{ESC}^pm{ST}b", "ab", id="pm"),
    pytest.param(f"a{ESC}_apc\x07b", "ab", id="apc"),
    pytest.param(f"a{ESC}7b{ESC}8c", "abc", id="two-char"),
    pytest.param(f"a{ESC}(Bb", "ab", id="charset-nf"),
    pytest.param(f"a{ESC}cb", "ab", id="reset"),
    pytest.param("a\x9b31mb", "ab", id="c1-csi"),
    pytest.param("a\x9d0;title\x07b", "ab", id="c1-osc"),
    pytest.param("a\x90payload\x9cb", "ab", id="c1-dcs"),
    pytest.param("a\x85b\x9cc", "abc", id="c1-other"),
    pytest.param("a\r\nb\rc", "a\nbc", id="carriage-return"),
    pytest.param("a\x00b\x07c\x08d\x7fe\x0bf\x0cg", "abcdefg", id="c0-and-del"),
    pytest.param("a\tb\nc", "a\tb\nc", id="tab-newline-kept"),
    pytest.param(f"a{ESC}[12\nb", "a\nb", id="csi-interrupted-by-newline"),
    pytest.param(f"a{ESC}]0;t{ESC}[31mb", "ab", id="osc-ended-by-new-sequence"),
    pytest.param(f"a{ESC}", "a", id="trailing-esc"),
    pytest.param(f"a{ESC}]no terminator", "ano terminator", id="osc-unterminated"),
    pytest.param(UNICODE, UNICODE, id="unicode"),
]


@pytest.mark.parametrize(("raw", "safe"), CASES)
def test_sequence_in_the_middle_is_removed(raw: str, safe: str) -> None:
    assert sanitize(raw) == safe


@pytest.mark.parametrize(("raw", "safe"), CASES)
def test_one_char_chunks_give_the_same(raw: str, safe: str) -> None:
    cleaner = Sanitizer()
    assert "".join(cleaner.feed(c) for c in raw) + cleaner.flush() == safe


def test_plain_chunk_is_returned_unchanged() -> None:
    text = "plain 中文 text\n"
    assert Sanitizer().feed(text) is text


def test_incomplete_sequence_is_held_back_then_removed() -> None:
    cleaner = Sanitizer()
    assert cleaner.feed(f"ok {ESC}]52;c;") == "ok "
    assert cleaner.feed("aGVsbG8=") == ""
    assert cleaner.feed("\x07 done") == " done"
    assert cleaner.flush() == ""


def test_stray_osc_holds_back_at_most_the_cap() -> None:
    cleaner = Sanitizer()
    text = f"{ESC}]" + "x" * (MAX_SEQUENCE + 10)
    assert cleaner.feed(text) == "x" * (MAX_SEQUENCE + 10)
    assert sanitize(text) == "x" * (MAX_SEQUENCE + 10)


@pytest.mark.parametrize("size", [MAX_SEQUENCE - 1, MAX_SEQUENCE, MAX_SEQUENCE + 1])
@pytest.mark.parametrize("step", [1, 7, 1000])
def test_cap_boundary_is_the_same_in_any_chunking(size: int, step: int) -> None:
    text = f"a{ESC}]" + "x" * size + "\x07b"
    expected = "ab" if size <= MAX_SEQUENCE else "a" + "x" * size + "b"
    cleaner = Sanitizer()
    pieces = [cleaner.feed(text[i : i + step]) for i in range(0, len(text), step)]
    assert sanitize(text) == expected
    assert "".join(pieces) + cleaner.flush() == expected


def test_flush_drops_an_unterminated_csi() -> None:
    cleaner = Sanitizer()
    assert cleaner.feed(f"a{ESC}[3") == "a"
    assert cleaner.flush() == ""
    assert cleaner.flush() == ""


FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Text rich in introducers, terminators and their fragments, so sequences form and break.
PIECES = st.sampled_from(
    [
        ESC,
        "[",
        "]",
        "P",
        "_",
        "^",
        "X",
        "\\",
        "\x07",
        "\x9b",
        "\x9c",
        "\x9d",
        "\x90",
        "\r",
        "\n",
        "\t",
        "\x00",
        "\x7f",
        "31m",
        ";",
        "0",
        " ",
        "(",
        "B",
        "中",
        "😀",
        "text",
        "m",
    ]
)
TEXTS = st.one_of(
    st.lists(PIECES, max_size=40).map("".join),
    st.text(alphabet=st.characters(max_codepoint=0x20FF), max_size=60),
)


@st.composite
def chunked(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=400)
@given(chunked())
def test_any_chunking_equals_one_shot(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    cleaner = Sanitizer()
    streamed = "".join(cleaner.feed(c) for c in chunks) + cleaner.flush()
    assert streamed == sanitize(text)
    assert FORBIDDEN.search(streamed) is None


@given(TEXTS)
def test_output_is_safe_and_idempotent(text: str) -> None:
    safe = sanitize(text)
    assert FORBIDDEN.search(safe) is None
    assert sanitize(safe) == safe
