"""The ids the Files API gives uploads, checked before they are stored, resent or listed (pure).

An id comes from the server and is later put in a system message (`fileid://ID`), the store
and a `files list` row, so it is held to the shape DashScope's ids have (`file-fe-…`,
`file-batch-…`): `file-`, then ASCII letters, digits, `-`, `_` or `.`, at most 128 characters
in all. Anything else (a newline, a comma that would add a second `fileid://`, an escape
sequence, a megabyte) is refused, or shown escaped where it is only listed.
"""

from __future__ import annotations

import re

from qwenchat.core.errors import ApiError
from qwenchat.core.visible import escaped

MAX_ID = 128
_FILE_ID = re.compile(r"file-[A-Za-z0-9][A-Za-z0-9_.-]*", re.ASCII)


def is_file_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID and bool(_FILE_ID.fullmatch(value))


def checked_file_id(value: object, what: str) -> str:
    """`value` when it is a file id, else ApiError naming what gave it (the id shown escaped)."""
    if is_file_id(value):
        return str(value)
    raise ApiError(
        f"the server answered {what} with an id that is not a file id: {escaped(value)} "
        "(nothing was kept or sent with it)"
    )
