"""The one error boundary: every failure becomes one line on stderr and an exit code.

Every command (`ask`, `chat`, `config`, `models`, `doctor`, `sessions …`, `batch …`) is
wrapped by `reports_errors`, and `run` wraps the whole app for what happens outside a command
(a command-line mistake, for one). The chat prints `error_line` for errors that end a turn but
not the chat. Nothing else turns errors into messages.

* a QwenchatError: `qwenchat: error: …`, its own exit code (1 API or network, 2 usage);
* Ctrl-C: `qwenchat: interrupted`, 130;
* anything else is a bug in qwenchat: `qwenchat: internal error: Type: message — …`, 70, and
  the traceback only with `--debug` or `QWENCHAT_DEBUG=1`.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from qwenchat.cli.options import RootOptions, root_options
from qwenchat.core.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    InternalError,
    Interrupted,
    QwenchatError,
    UsageError,
)
from qwenchat.render.terminal import Terminal

F = TypeVar("F", bound=Callable[..., Any])

DEBUG_VARIABLE = "QWENCHAT_DEBUG"


def report(exc: QwenchatError) -> None:
    Terminal.system().output.error(exc)


def internal_error_line(exc: BaseException) -> str:
    """The one line a bug in qwenchat gets (sanitised on its way out)."""
    message = " ".join(str(exc).split())
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"qwenchat: internal error: {what} — please report it (run with --debug for the traceback)"
    )


def report_bug(exc: BaseException, *, debug: bool) -> None:
    """The internal-error line, after the traceback when debugging."""
    output = Terminal.system().output
    if debug or os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0"):
        import traceback

        output.err("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    output.err(internal_error_line(exc) + "\n")


def reports_errors(command: F) -> F:
    """Turn every exception a command raises into one line on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _output_checked(command, *args, **kwargs)
        except InternalError as exc:  # a bug met mid-turn, after the turn was saved
            report_bug(exc.cause, debug=_debugging(args, kwargs))
            raise typer.Exit(EXIT_INTERNAL) from None
        except QwenchatError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            report(Interrupted("interrupted"))
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort, command_line_error()):
            raise
        except Exception as exc:
            report_bug(exc, debug=_debugging(args, kwargs))
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _output_checked(command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The command's result, once what it wrote reached stdout (OutputError if it did not)."""
    from qwenchat.render.pipes import check_written

    try:
        result = command(*args, **kwargs)
    except typer.Exit as exc:
        if not exc.exit_code:
            check_written()
        raise
    check_written()
    return result


def _debugging(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """`--debug`, given to the command or before it."""
    values = (*args, *kwargs.values())
    if kwargs.get("debug") is True or any(isinstance(v, RootOptions) and v.debug for v in values):
        return True
    # Typer hands commands its Click's own Context, of which `typer.Context` is a subclass
    contexts = [v for v in values if callable(getattr(v, "find_root", None))]
    return any(root_options(ctx).debug for ctx in contexts)


def run(app: Callable[..., Any]) -> int:
    """Run the app; a command-line mistake is one line too (exit 2), as is anything else."""
    from qwenchat.render.pipes import claim_standard_fds

    claim_standard_fds()
    output = Terminal.system().output
    try:
        code = app(prog_name="qwenchat", standalone_mode=False)
    except command_line_error() as exc:  # unknown option, missing or malformed value
        if type(exc).__name__ == "NoArgsIsHelpError":  # `qwenchat sessions`: its help, exit 0
            output.out(exc.format_message() + "\n")  # type: ignore[attr-defined]
            return 0
        context = getattr(exc, "ctx", None)
        see = f" (see {context.command_path} --help)" if context is not None else ""
        output.error(UsageError(f"{exc.format_message()}{see}"))  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", EXIT_USAGE))
    except (typer.Abort, KeyboardInterrupt):
        output.error(Interrupted("interrupted"))
        return EXIT_INTERRUPTED
    except Exception as exc:  # outside every command: still a bug, still one line
        argv = sys.argv[1:]
        options = argv[: argv.index("--")] if "--" in argv else argv
        report_bug(exc, debug="--debug" in options)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else 0


def leave(code: int) -> None:
    """Exit with `code`. A thread a `--functions` tool left running is not waited for (every
    thread of qwenchat's own is a daemon): what is written is flushed, and the process ends."""
    main = threading.main_thread()
    if not any(t.is_alive() and not t.daemon and t is not main for t in threading.enumerate()):
        sys.exit(code)
    from qwenchat.render.pipes import flush_standard_streams

    flush_standard_streams()
    os._exit(code)


def command_line_error() -> type[Exception]:
    """Click's ClickException, wherever this Typer keeps its Click (vendored or not)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
