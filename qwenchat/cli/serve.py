"""`qwenchat serve`: the chat in a browser, on this machine's engine, store and key.

The server and the page are `qwenchat.web`; this module reads the settings, says where to
open the page and stops on Ctrl-C. Nothing of `web/` is imported before the command runs, so
`--version`, `ask` and the chat start as fast as without it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    EndpointOptions,
    HostOpt,
    ModelOpt,
    OpenOpt,
    PortOpt,
    settings_for,
)
from qwenchat.cli.takes_options import takes_options
from qwenchat.core.errors import UsageError
from qwenchat.core.settings import Settings

if TYPE_CHECKING:
    from qwenchat.web.api import Site

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@reports_errors
@takes_options(EndpointOptions)
def serve(
    ctx: typer.Context,
    endpoint: EndpointOptions,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    open_browser: OpenOpt = False,
    model: ModelOpt = None,
) -> None:
    """Chat in a browser on this machine (the key stays here); Ctrl-C stops."""
    from qwenchat.web.api import Site
    from qwenchat.web.server import run

    settings = settings_for(ctx, endpoint, model=model)
    output = environment(ctx).output
    if host not in LOOPBACK:
        output.notice(
            f"warning: serving on {host}: other machines that reach it can try the page; "
            "only the token in the address below lets them in"
        )
    site = Site(settings, roles=_roles(settings))
    threading.Thread(target=_served, args=(site,), daemon=True).start()

    def ready(url: str) -> None:
        output.out(f"qwenchat serve: open {url}\n(Ctrl-C stops)\n", flush=True)
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    try:
        run(site, "127.0.0.1" if host == "localhost" else host, port, ready)
    except OSError as exc:
        raise UsageError(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}", hint="try another --port"
        ) from None
    output.notice("stopped")


def _served(site: Site) -> None:
    """The server's model list, merged into the page's choice once it arrives."""
    from qwenchat.cli.models import served_models

    site.served, site.served_error = served_models(site.settings)


def _roles(settings: Settings) -> tuple[dict[str, str | None], ...]:
    """The config's roles the page offers (the shell role runs commands: not in a page)."""
    from qwenchat.cli.roles import available
    from qwenchat.core.roles import SHELL

    return tuple(
        {"name": role.name, "system": role.system, "model": role.model}
        for role in available(settings).values()
        if role.name != SHELL
    )
