"""core.attachments: sniffing by bytes, damaged images, token cost, the composed content."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core.attachments import (
    AttachmentError,
    data_url_tokens,
    from_bytes,
    image_tokens,
    sniff_image,
    user_content,
)
from qwenchat.core.context_fit import message_tokens
from qwenchat.core.conversation import Conversation, Turn
from tests.images import bmp, gif, png


def test_sniffing_reads_the_magic_numbers() -> None:
    assert sniff_image(png()[:16]) == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_image(gif()[:16]) == "image/gif"
    assert sniff_image(bmp()[:16]) == "image/bmp"
    assert sniff_image(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image(b"%PDF-1.7") is None


@given(st.integers(min_value=0, max_value=200))
def test_any_cut_of_a_png_is_refused_cleanly_or_complete(cut: int) -> None:
    data = png()[: len(png()) - cut] if cut else png()
    try:
        attachment = from_bytes("x.png", data)
    except AttachmentError:
        assert cut > 0
    else:
        assert (attachment.width, attachment.height) == (64, 48)


@given(st.binary(max_size=64))
def test_random_bytes_after_a_magic_number_never_crash(tail: bytes) -> None:
    for magic in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"RIFF\0\0\0\0WEBP"):
        with contextlib.suppress(AttachmentError):
            from_bytes("x", magic + tail)


def test_image_tokens_follow_the_patch_rule() -> None:
    assert image_tokens(28 * 10, 28 * 10) == 100 + 2  # 28-px patches, under the cap
    assert 2400 < image_tokens(4000, 3000) <= 2560 + 2  # scaled down under the 32-px cap
    assert image_tokens(10, 10) == 4 + 2  # raised to the minimum
    assert image_tokens(0, 0) == 2562  # unknown (a URL): the default maximum


def test_a_data_url_costs_its_image_tokens_in_the_budget() -> None:
    image = from_bytes("a.png", png(280, 280))
    content = user_content("hi", (image,))
    assert isinstance(content, list)
    assert data_url_tokens(content[0]["image_url"]["url"]) == 102
    assert message_tokens({"role": "user", "content": content}) == 102 + 1 + 4


def test_history_resends_a_turns_images() -> None:
    image = from_bytes("a.png", png())
    history = Conversation().with_turn(Turn(user="what?", answer="a cat", attachments=(image,)))
    wire = history.to_wire("and its colour?")
    assert wire[0]["content"][0]["image_url"]["url"] == image.data_url()
    assert wire[2] == {"role": "user", "content": "and its colour?"}


def test_empty_and_binary_are_refused() -> None:
    with pytest.raises(AttachmentError, match="empty"):
        from_bytes("e", b"")
    with pytest.raises(AttachmentError, match="binary"):
        from_bytes("b", b"\x7fELF\x02\x01\x01\x00")
    assert from_bytes("d.docx", b"PK\x03\x04\x00\x00").kind == "document"
