"""Qwen-Long's documents: uploaded once through the Files API, then named by file id.

Before a request to Qwen-Long, every document and text file of the conversation (this turn's
and the history's) needs a file id: one remembered in the store for the same endpoint and
content hash, or a new upload (`purpose="file-extract"`). The conversation then carries the
ids and `Conversation.to_wire` sends them as one `fileid://…` system message.
"""

from __future__ import annotations

from collections.abc import Callable

from qwenchat.core.attachments import Attachment, human_size, uploads_for
from qwenchat.core.conversation import Conversation
from qwenchat.core.settings import Settings
from qwenchat.store.database import Store


def with_documents(
    settings: Settings,
    conversation: Conversation,
    attachments: tuple[Attachment, ...],
    *,
    store: Store | None,
    conversation_id: int | None,
    notice: Callable[[str], None],
) -> Conversation:
    """The conversation with the file ids of its documents (uploading those not yet sent)."""
    sent = tuple(a for t in conversation.turns for a in t.attachments) + attachments
    wanted = {a.digest: a for a in uploads_for(settings.model, sent)}
    if not wanted:
        return conversation
    from qwenchat.net.files_service import FilesService
    from qwenchat.store import uploads

    ids: dict[str, str] = {}
    service: FilesService | None = None
    try:
        for digest, item in wanted.items():
            found = uploads.find(store, settings.stored_base_url, digest) if store else None
            if found is None:
                service = service or FilesService(settings)
                notice(f"uploading {item.name} ({human_size(item.size)}) for {settings.model}")
                found = service.upload_document(item.data, filename=item.name)
                if store is not None:
                    uploads.remember(
                        store, settings.stored_base_url, found, digest=digest, name=item.name,
                        size=item.size, conversation_id=conversation_id,
                    )  # fmt: skip
            ids[digest] = found
    finally:
        if service is not None:
            service.close()
    return conversation.with_file_ids(ids)
