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

from qwenchat.cli.environment import Environment, click_context, environment
from qwenchat.cli.options import RootOptions
from qwenchat.core.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    InternalError,
    Interrupted,
    QwenchatError,
    UsageError,
)
from qwenchat.render.output import Output
from qwenchat.render.pipes import check_written, claim_standard_fds, flush_standard_streams

F = TypeVar("F", bound=Callable[..., Any])


def report(exc: QwenchatError, output: Output) -> None:
    output.error(exc)


def internal_error_line(exc: BaseException) -> str:
    """The one line a bug in qwenchat gets (sanitised on its way out)."""
    message = " ".join(str(exc).split())
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"qwenchat: internal error: {what} — please report it (run with --debug for the traceback)"
    )


def report_bug(exc: BaseException, output: Output, *, debug: bool) -> None:
    """The internal-error line, after the traceback when debugging."""
    if debug:
        import traceback

        output.err("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    output.err(internal_error_line(exc) + "\n")


def reports_errors(command: F) -> F:
    """Turn every exception a command raises into one line on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env = _environment(args, kwargs)
        try:
            return _output_checked(env, command, *args, **kwargs)
        except InternalError as exc:  # a bug met mid-turn, after the turn was saved
            report_bug(exc.cause, env.output, debug=_debugging(env, args, kwargs))
            raise typer.Exit(EXIT_INTERNAL) from None
        except QwenchatError as exc:
            report(exc, env.output)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            report(Interrupted("interrupted"), env.output)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort, command_line_error()):
            raise
        except Exception as exc:
            report_bug(exc, env.output, debug=_debugging(env, args, kwargs))
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _output_checked(
    env: Environment, command: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """The command's result, once what it wrote reached stdout (OutputError if it did not)."""
    try:
        result = command(*args, **kwargs)
    except typer.Exit as exc:
        if not exc.exit_code:
            check_written(env.terminal.stdout)
        raise
    check_written(env.terminal.stdout)
    return result


def _environment(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Environment:
    """The run's environment, from the command's context (a new one outside a run)."""
    context = click_context()
    for value in (*args, *kwargs.values()):
        if isinstance(value, context):
            return environment(value)
    return Environment()


def _debugging(env: Environment, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """`--debug`, given before the command or to it, or QWENCHAT_DEBUG."""
    values = (*args, *kwargs.values())
    return (
        env.debug
        or kwargs.get("debug") is True
        or any(isinstance(v, RootOptions) and v.debug for v in values)
    )


def run(app: Callable[..., Any]) -> int:
    """Run the app; a command-line mistake is one line too (exit 2), as is anything else."""
    claim_standard_fds()
    env = Environment()  # the terminal every write of this run goes through
    output = env.output
    try:
        code = app(prog_name="qwenchat", standalone_mode=False, obj=env)
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
        report_bug(exc, output, debug=env.debug)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else 0


def leave(code: int) -> None:
    """Exit with `code`. A thread a `--functions` tool left running is not waited for (every
    thread of qwenchat's own is a daemon): what is written is flushed, and the process ends."""
    main = threading.main_thread()
    if not any(t.is_alive() and not t.daemon and t is not main for t in threading.enumerate()):
        sys.exit(code)
    flush_standard_streams()
    os._exit(code)


def command_line_error() -> type[Exception]:
    """Click's ClickException, wherever this Typer keeps its Click (vendored or not)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
