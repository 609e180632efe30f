"""Attachments (pure): images and text files as values, and the user message they make.

Nothing here reads a file: the edges (`engine.attach_files`, the chat, batch) read the bytes
and pass them in. The kind of a file is decided by its bytes, never by its name (a PNG named
`.jpg` is a PNG). Images become OpenAI-style `image_url` content parts (a data URL, or the
user's http(s) URL passed as it is and never fetched); text files become fenced blocks after
the prompt, the same composition as text piped on stdin.

Limits. None of the vision limits below was confirmed against the live documentation (the
vision page was not in the stored copies searched on 2026-12-03); they are the values the
Model Studio vision guide gave in late 2025 and are marked UNVERIFIED in docs/attachments.md:
* one image at most 10 MB *after base64 encoding*, so about 7.5 MB of file (source: Model
  Studio's error-code page, docs.qwencloud.com/api-reference/preparation/error-messages,
  mid-2026: "Exceeded limit on max bytes per data-uri item : 10485760"; "Base64 encoding
  increases the data size");
* tokens per image: one per 28×28 px (Qwen2.5-VL based: qwen-vl-*, qvq-*) or 32×32 px
  (Qwen3-VL), at least 4, at most 1,280 (28 px) or 2,560 (32 px) by default, plus 2 framing
  tokens (source: Qwen2-VL model card discussion, seen 2026-12-03 in the stored copies; the
  Qwen3-VL figures UNVERIFIED). The estimate takes the larger of the two, so trimming errs early.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import struct
from dataclasses import dataclass, field
from typing import Any, Literal

from qwenchat.core.errors import UsageError

Kind = Literal["image", "text", "url", "document"]

MAX_IMAGE_BYTES = 10 * 1024 * 1024  # what is read at all before the encoded check below
MAX_DATA_URI_BYTES = 10_485_760  # one data URI, base64 included (see the module docstring)
MAX_TEXT_BYTES = 10 * 1024 * 1024  # a text file larger than this is not worth inlining
# Qwen-Long's file-extract uploads: one file at most 150 MB (source: Model Studio
# long-context-qwen-long page, updated 2025-12-25, seen 2026-12-03 in stored copies)
MAX_DOCUMENT_BYTES = 150 * 1024 * 1024
# Qwen-Long without a system prompt may take the file for one (dashscope SDK README, V3)
DOCUMENT_SYSTEM = "You are a helpful assistant."
MIN_SIDE = 10  # px; smaller images are refused by the service (UNVERIFIED)
URL_IMAGE_TOKENS = 2562  # an image given by URL is never fetched: count the default maximum
VISION_MODELS = ("qwen-vl-max", "qwen-vl-plus", "qwen3-vl-plus", "qwen3-vl-flash", "qvq-max")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
_HEADER = 64 * 1024  # the base64 of an image's first bytes, enough for its dimensions


class AttachmentError(UsageError):
    """An attachment that cannot be sent (exit 2, nothing sent)."""


@dataclass(frozen=True)
class Attachment:
    """One attached image, text file or image URL.

    `data` holds the file's bytes (empty for a URL); `digest` is their SHA-256, under which the
    store keeps them once, worked out when first needed (after the request has started: hashing
    10 MB is not on the way to sending). `width`/`height` are the image's pixels (0: unknown).
    """

    name: str
    kind: Kind
    mime: str = ""
    data: bytes = field(default=b"", repr=False)
    url: str = ""
    width: int = 0
    height: int = 0
    known_digest: str = field(default="", compare=False, repr=False)

    @property
    def digest(self) -> str:
        if self.known_digest or self.kind == "url":
            return self.known_digest
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_image(self) -> bool:
        return self.kind in ("image", "url")

    def data_url(self) -> str:
        if self.kind == "url":
            return self.url
        head = f"data:{self.mime};base64,".encode("ascii")
        return (head + base64.b64encode(self.data)).decode("ascii")

    def label(self) -> str:
        """`cat.png · 1.2 MB · 1024×768`: how the attachment is named to the user."""
        if self.kind == "url":
            return self.url
        parts = [self.name, human_size(self.size)]
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        return " · ".join(parts)


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1000 * 1000:
        return f"{size / 1000:.1f} kB"
    return f"{size / (1000 * 1000):.1f} MB"


def sniff_image(head: bytes) -> str | None:
    """The image MIME type its first bytes show (PNG, JPEG, GIF, BMP, WebP), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    return None


def sniff_document(head: bytes) -> str | None:
    """A document Qwen-Long reads (PDF; DOCX, XLSX and EPUB are ZIP files; MOBI), or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head[60:68] == b"BOOKMOBI":
        return "application/x-mobipocket-ebook"
    return None


def from_bytes(name: str, data: bytes) -> Attachment:
    """An image, document or text attachment from a file's bytes; AttachmentError says why not."""
    if not data:
        raise AttachmentError(f"{name} is empty (0 bytes); nothing was sent")
    mime = sniff_image(data[:16])
    if mime is not None:
        return _image(name, data, mime)
    document = sniff_document(data[:68])
    if document is not None:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise AttachmentError(f"{name} is over Qwen-Long's 150 MB file limit")
        return Attachment(name, "document", document, data)
    if len(data) > MAX_TEXT_BYTES:
        raise AttachmentError(
            f"{name} is {human_size(len(data))}; a text attachment may be at most "
            f"{MAX_TEXT_BYTES // (1024 * 1024)} MB"
        )
    if b"\x00" in data:
        raise AttachmentError(
            f"{name} is a binary file, not an image (PNG, JPEG, WebP, GIF, BMP) or text"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AttachmentError(
            f"{name} is neither an image nor UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    return Attachment(name, "text", "text/plain", data)


def _image(name: str, data: bytes, mime: str) -> Attachment:
    kind = mime.removeprefix("image/").upper()
    if data_uri_size(len(data), mime) > MAX_DATA_URI_BYTES:
        raise AttachmentError(
            f"{name} is {len(data) / (1024 * 1024):.1f} MB; an image may be at most 10 MB "
            "after base64 encoding (about 7.5 MB of file)"
        )
    width, height = dimensions(data)
    if width <= 0 or height <= 0 or _truncated(data, mime):
        raise AttachmentError(f"{name} is not a complete {kind} image (truncated or damaged)")
    if min(width, height) < MIN_SIDE:
        raise AttachmentError(
            f"{name} is {width}×{height} px; each side of an image must be at least {MIN_SIDE} px"
        )
    return Attachment(name, "image", mime, data, width=width, height=height)


def data_uri_size(size: int, mime: str) -> int:
    """The length of `data:MIME;base64,…` for `size` bytes of file."""
    return len(f"data:{mime};base64,") + 4 * math.ceil(size / 3)


def dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) from an image's header bytes; (-1, -1) when they cannot be read."""
    import imagesize  # ~30 ms (it loads urllib): only when an image is attached

    try:
        width, height = imagesize.get(io.BytesIO(data), exif_rotation=False)
    except (ValueError, OSError, struct.error, IndexError):
        return -1, -1
    return int(width), int(height)


def _truncated(data: bytes, mime: str) -> bool:
    """Whether the image visibly ends early (its end marker or declared length is missing)."""
    tail = data[-4096:]
    if mime == "image/png":
        return b"IEND" not in tail
    if mime == "image/jpeg":
        return b"\xff\xd9" not in tail
    if mime == "image/gif":
        return not data.rstrip(b"\x00").endswith(b";")
    if mime == "image/webp":
        declared: int = struct.unpack("<I", data[4:8])[0] + 8
        return declared > len(data)
    if len(data) < 14:  # BMP
        return True
    size: int = struct.unpack("<I", data[2:6])[0]
    return size > len(data)


def from_url(url: str) -> Attachment:
    """An image given by http(s) URL, passed to the model as it is (qwenchat never fetches it)."""
    lowered = url.lower()
    if lowered.startswith("file:"):
        raise AttachmentError(
            f"file:// URLs are refused ({url}); give the path itself: -a /path/to/image.png"
        )
    if not lowered.startswith(("http://", "https://")):
        raise AttachmentError(f"{url} is not an http(s) URL")
    if any(c.isspace() for c in url) or len(url) <= len("https://"):
        raise AttachmentError(f"{url!r} is not a valid URL (spaces must be encoded as %20)")
    return Attachment(url, "url", url=url)


def is_url(spec: str) -> bool:
    head = spec.split(":", 1)[0].lower()
    return ":" in spec and head in ("http", "https", "file", "ftp", "data")


def reads_documents(model: str) -> bool:
    """Qwen-Long takes files by `fileid://` reference (uploaded with purpose `file-extract`)."""
    return model.rsplit("/", 1)[-1].lower().startswith("qwen-long")


def uploads_for(model: str, attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
    """What goes through the Files API for this model: for Qwen-Long, every file but images."""
    if not reads_documents(model):
        return ()
    return tuple(a for a in attachments if a.kind in ("document", "text"))


def check_for_model(
    attachments: tuple[Attachment, ...], model: str, vision: bool | None, input_limit: int
) -> None:
    """Refuse what the model cannot take, before anything is sent (AttachmentError, exit 2)."""
    documents = [a for a in attachments if a.kind == "document"]
    if documents and not reads_documents(model):
        raise AttachmentError(
            f"{documents[0].name} is a document ({documents[0].mime}); only Qwen-Long reads "
            "documents (-m qwen-long), other models take images and text files"
        )
    images = [a for a in attachments if a.is_image]
    if not images:
        return
    if vision is False:
        raise AttachmentError(
            f"{model} cannot see images (the catalogue says it has no vision); use a vision "
            f"model such as {', '.join(VISION_MODELS)} (-m qwen-vl-max)"
        )
    tokens = sum(image_tokens(a.width, a.height) for a in images)
    if tokens > input_limit:
        raise AttachmentError(
            f"{len(images)} images need about {tokens:,} tokens, more than {model} accepts "
            f"({input_limit:,}); attach fewer"
        )


def image_tokens(width: int, height: int) -> int:
    """Tokens Qwen-VL charges for an image of this size (the larger of the two estimates)."""
    if width <= 0 or height <= 0:
        return URL_IMAGE_TOKENS
    return max(_patch_tokens(width, height, 28, 1280), _patch_tokens(width, height, 32, 2560))


def _patch_tokens(width: int, height: int, patch: int, most: int) -> int:
    w = max(patch, round(width / patch) * patch)
    h = max(patch, round(height / patch) * patch)
    max_pixels, min_pixels = most * patch * patch, 4 * patch * patch
    if w * h > max_pixels:
        scale = math.sqrt(width * height / max_pixels)
        w = max(patch, math.floor(width / scale / patch) * patch)
        h = max(patch, math.floor(height / scale / patch) * patch)
    elif w * h < min_pixels:
        scale = math.sqrt(min_pixels / (width * height))
        w = math.ceil(width * scale / patch) * patch
        h = math.ceil(height * scale / patch) * patch
    return (w // patch) * (h // patch) + 2


def data_url_tokens(url: str) -> int:
    """The token cost of an `image_url` part: from a data URL's header bytes, else the maximum."""
    if not url.startswith("data:image/"):
        return URL_IMAGE_TOKENS
    _, _, encoded = url.partition(",")
    head = encoded[: _HEADER - _HEADER % 4]
    try:
        width, height = dimensions(base64.b64decode(head))
    except ValueError:
        return URL_IMAGE_TOKENS
    return image_tokens(width, height)


def fenced(name: str, text: str) -> str:
    """A text file as the model reads it: its name, then its content in a fence."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{name}:\n{fence}\n{text.removeprefix(chr(0xFEFF)).rstrip()}\n{fence}"


def user_content(
    text: str, attachments: tuple[Attachment, ...] = (), uploaded: frozenset[str] = frozenset()
) -> str | list[Any]:
    """The `content` of a user message: plain text, or image parts followed by the text part.

    Files whose digest is in `uploaded` go by `fileid://` reference instead (`file_message`).
    """
    blocks = [text] if text else []
    blocks += [
        fenced(a.name, a.data.decode("utf-8"))
        for a in attachments
        if a.kind == "text" and a.digest not in uploaded
    ]
    joined = "\n\n".join(blocks)
    images = [a for a in attachments if a.is_image]
    if not images:
        return joined
    parts: list[Any] = [{"type": "image_url", "image_url": {"url": a.data_url()}} for a in images]
    parts.append({"type": "text", "text": joined})
    return parts


def file_message(ids: list[str]) -> dict[str, Any]:
    """Qwen-Long's reference to uploaded files: one system message, `fileid://a,fileid://b`."""
    from qwenchat.core.upload_ids import checked_file_id

    named = (checked_file_id(i, "an upload") for i in ids)  # a saved id is resent only if sound
    return {"role": "system", "content": ",".join(f"fileid://{i}" for i in named)}
