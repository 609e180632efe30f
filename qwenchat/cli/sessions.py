"""`qwenchat sessions …`: list, show, export and delete saved conversations.

Thin commands: the store reads, `export` formats, these print (through the output seam). Errors
go through `error_boundary.reports_errors`, as everywhere; each takes the context so that a
`--debug` given before the command reaches the boundary; each takes `--debug` after it too.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import DebugOpt
from qwenchat.core.plural import plural

if TYPE_CHECKING:
    from qwenchat.store.database import Store


sessions_app = typer.Typer(
    help="List, show, export and delete saved conversations.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

RefArg = Annotated[str, typer.Argument(metavar="ID|NAME", help="A conversation's id or name.")]


def _store() -> Store:
    from qwenchat.cli.settings_files import settings_from
    from qwenchat.store.history import open_store

    return open_store(settings_from())


def _write(ctx: typer.Context, text: str) -> None:
    """Saved model text goes out through the output seam, which sanitises it."""
    environment(ctx).output.out(text, flush=True)


@sessions_app.command("list", short_help="Saved conversations, newest first.")
@reports_errors
def list_(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Saved conversations, most recently used first: id, name, title, turns, model, last used."""
    from dataclasses import asdict

    from qwenchat.store.export import json_text, table

    with _store() as store:
        summaries = store.summaries()
    if json_output:
        _write(ctx, json_text([asdict(s) for s in summaries]) + "\n")
    else:
        _write(ctx, table(summaries) + "\n")


@sessions_app.command()
@reports_errors
def show(ctx: typer.Context, ref: RefArg, debug: DebugOpt = False) -> None:
    """Print a conversation: every turn, with reasoning."""
    from qwenchat.store.export import transcript

    with _store() as store:
        summary = store.resolve(ref)
        _write(ctx, transcript(summary, store.records(summary.id)))


@sessions_app.command(short_help="Print a conversation as Markdown.")
@reports_errors
def export(
    ctx: typer.Context,
    ref: RefArg,
    format: Annotated[str, typer.Option("--format", "-f", help="md (Markdown) or json.")] = "md",
    with_attachments: Annotated[
        bool, typer.Option("--with-attachments", help="JSON: include attached files (base64).")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Print a conversation as Markdown (reasoning in <details> blocks) or JSON."""
    from qwenchat.core.errors import UsageError
    from qwenchat.store.export import document, json_text, markdown

    if format not in ("md", "json"):
        raise UsageError(f"--format must be md or json, got {format!r}")
    with _store() as store:
        summary = store.resolve(ref)
        records = store.records(summary.id)
    if format == "json":
        doc = document(summary, records, with_attachments=with_attachments)
        _write(ctx, json_text(doc) + "\n")
    else:
        _write(ctx, markdown(summary, records))


@sessions_app.command(short_help="Delete a conversation (asks first).")
@reports_errors
def rm(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Delete a conversation and all its turns (asks first unless --yes)."""
    with _store() as store:
        summary = store.resolve(ref)
        label = f"#{summary.id} {summary.title or '(untitled)'} ({plural(summary.turns, 'turn')})"
        if not yes and _confirm(ctx, f"delete {label}? [y/N] ") != "yes":
            environment(ctx).output.notice("nothing deleted")
            return
        store.delete(summary.id)
    environment(ctx).output.notice(f"deleted {label}")


def _confirm(ctx: typer.Context, question: str) -> Literal["yes", "no"]:
    environment(ctx).output.err(question)
    answer = sys.stdin.readline().strip().lower() if sys.stdin else ""
    return "yes" if answer in ("y", "yes") else "no"
