"""`qwenchat files list|rm`: the documents uploaded for Qwen-Long (Files API, `file-extract`).

Uploaded files do not expire and count against the account's 10,000 files (source: Model
Studio long-context-qwen-long page, updated 2025-12-25): these show and delete them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, JsonOpt, settings_for
from qwenchat.cli.takes_options import takes_options

files_app = typer.Typer(
    help="List and delete the documents uploaded for Qwen-Long.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@files_app.command("list")
@reports_errors
@takes_options(EndpointOptions)
def list_(ctx: typer.Context, endpoint: EndpointOptions, json_output: JsonOpt = False) -> None:
    """The file-extract files on the service: id, size, name, and the conversation that sent it."""
    import json
    from dataclasses import asdict

    from qwenchat.core.sanitize import escape_c1
    from qwenchat.core.upload_ids import is_file_id
    from qwenchat.core.visible import escaped
    from qwenchat.net.files_service import FilesService
    from qwenchat.store import uploads
    from qwenchat.store.history import open_store

    settings = settings_for(ctx, endpoint)
    service = FilesService(settings)
    try:
        remote = service.documents()
    finally:
        service.close()
    with open_store(settings) as store:
        sent_by = {u.file_id: u.conversation_id for u in uploads.known(store, settings.base_url)}
    out = environment(ctx).output
    if json_output:
        rows = [{**asdict(f), "conversation": sent_by.get(f.id)} for f in remote]
        out.out(escape_c1(json.dumps(rows, ensure_ascii=False, indent=2)) + "\n")
        return
    if not remote:
        out.out("no uploaded files\n")
        return
    for f in remote:  # one row per file, whatever the server put in its fields
        origin = f"#{sent_by[f.id]}" if sent_by.get(f.id) else "-"
        shown = f.id if is_file_id(f.id) else f"{escaped(f.id, 40)} (not a file id)"
        out.out(f"{shown}  {f.size:>10,}  {origin:>5}  {escaped(f.filename)}\n")


@files_app.command("rm")
@reports_errors
@takes_options(EndpointOptions)
def rm(
    ctx: typer.Context,
    file_ids: Annotated[list[str], typer.Argument(metavar="FILE_ID...", help="Files to delete.")],
    endpoint: EndpointOptions,
) -> None:
    """Delete uploaded files from the service (a later question uploads them again if needed)."""
    from qwenchat.net.files_service import FilesService
    from qwenchat.store import uploads
    from qwenchat.store.history import open_store

    settings = settings_for(ctx, endpoint)
    service = FilesService(settings)
    try:
        with open_store(settings) as store:
            for file_id in file_ids:
                service.delete(file_id)
                uploads.forget(store, file_id)
                environment(ctx).output.notice(f"deleted {file_id}")
    finally:
        service.close()
