"""`qwenchat models`: the models qwenchat knows, merged with the server's list."""

from __future__ import annotations

from typing import Annotated

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, JsonOpt, settings_for
from qwenchat.cli.takes_options import takes_options
from qwenchat.core.corrections import Learned
from qwenchat.core.errors import QwenchatError
from qwenchat.core.settings import Settings

ForgetOpt = Annotated[
    str | None,
    typer.Option("--forget", metavar="MODEL",
                 help="Drop what qwenchat learned about MODEL from servers' refusals."),
]  # fmt: skip


@reports_errors
@takes_options(EndpointOptions)
def models(
    ctx: typer.Context,
    endpoint: EndpointOptions,
    json_output: JsonOpt = False,
    forget: ForgetOpt = None,
) -> None:
    """List the models qwenchat knows, merged with the server's list, with capabilities."""
    from qwenchat.render import model_table

    settings = settings_for(ctx, endpoint)
    output = environment(ctx).output
    if forget is not None:
        count = forget_facts(settings, forget)
        output.out(f"forgot {count} learned fact{'' if count == 1 else 's'} about {forget}\n")
        return
    served, why = served_models(settings)
    rows = model_table.with_prices(model_table.model_rows(settings.catalogue, served), settings)
    learned = learned_facts(settings)
    rows = model_table.with_learned(rows, learned)
    if why is not None:
        output.notice(f"warning: the server's model list could not be fetched ({why}); "
                      "showing the catalogue only")  # fmt: skip
    if json_output:
        output.out(model_table.as_json(rows) + "\n")
    else:
        width = terminal_width() if output.stdout.isatty() else None
        output.out(model_table.as_table(rows, served=served is not None, width=width))
        output.out(model_table.learned_lines(learned))


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size().columns


def learned_facts(settings: Settings) -> tuple[Learned, ...]:
    """What this endpoint taught qwenchat (nothing when there is no store yet)."""
    from qwenchat.store.database import Store, StoreError, db_path
    from qwenchat.store.learned_facts import all_facts

    path = db_path(settings.data_dir)
    if not path.is_file():
        return ()
    try:
        with Store(path, read_only=True) as store:
            return all_facts(store, settings.base_url)
    except StoreError:
        return ()


def forget_facts(settings: Settings, model: str) -> int:
    from qwenchat.store.database import Store, db_path
    from qwenchat.store.learned_facts import forget

    path = db_path(settings.data_dir)
    if not path.is_file():
        return 0
    with Store(path) as store:
        return forget(store, model)


def served_models(settings: Settings) -> tuple[list[str] | None, str | None]:
    """The server's `/models` ids, or None and why the server could not say."""
    if not settings.api_key:
        return None, "no API key"
    from qwenchat.net.client import ChatClient

    try:
        client = ChatClient(settings)
    except QwenchatError as exc:
        return None, exc.message
    try:
        return client.list_models(), None
    except QwenchatError as exc:
        return None, exc.message
    finally:
        client.close()
