"""The files settings come from: `config.toml`, `.env.local` and `.env`, and where they live.

This is where those files are found and read, and a command's flags resolved over them
(`settings_from`); `core.settings` resolves the values (with the flags and the environment)
and reads nothing itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qwenchat.core.errors import ConfigError
from qwenchat.core.settings import FileLayers, Settings, resolve_settings

KEY_WARNING = (
    "warning: --api-key lands in your shell history; "
    "prefer DASHSCOPE_API_KEY in the environment or a .env file"
)
_warned: set[str] = set()


def settings_from(**flags: Any) -> Settings:
    """Settings for a command: its flags over the environment, `.env` files and config."""
    from qwenchat.cli.dotenv_check import dotenv_warnings
    from qwenchat.core.config_keys import config_warnings

    if flags.get("api_key"):
        _warn_once(KEY_WARNING)
    files = read_files(os.environ, Path.cwd())
    settings = resolve_settings(flags, os.environ, files)
    for line in config_warnings(files.config, str(files.config_path)) + dotenv_warnings(files):
        _warn_once(f"warning: {line}")
    from qwenchat.core.dotenv_note import dotenv_note

    if note := dotenv_note(settings, files.directory):
        _warn_once(note)
    return settings


def forget_warnings() -> None:
    """A new run of the app warns again."""
    _warned.clear()


def _warn_once(line: str) -> None:
    if line not in _warned:
        from qwenchat.render.terminal import Terminal

        _warned.add(line)
        Terminal.system().output.notice(line)


def load_settings(flags: Mapping[str, Any], environ: Mapping[str, str], cwd: Path) -> Settings:
    """Settings from the flags, the environment, `cwd`'s `.env` files and the config file."""
    return resolve_settings(flags, environ, read_files(environ, cwd))


def read_files(environ: Mapping[str, str], cwd: Path) -> FileLayers:
    """The config file (`$XDG_CONFIG_HOME/qwenchat/config.toml`) and `cwd`'s `.env` files."""
    config_path = config_home(environ) / "qwenchat" / "config.toml"
    config, text = read_config(config_path)
    return FileLayers(
        config_path=config_path,
        data_dir=data_home(environ) / "qwenchat",
        config=config,
        config_text=text,
        dotenv_local=read_dotenv(cwd / ".env.local"),
        dotenv=read_dotenv(cwd / ".env"),
        written={
            ".env.local": read_dotenv(cwd / ".env.local", interpolate=False),
            ".env": read_dotenv(cwd / ".env", interpolate=False),
        },
        directory=cwd,
    )


def read_dotenv(path: Path, *, interpolate: bool = True) -> Mapping[str, str | None]:
    """A `.env` file's variables (`${VAR}` expanded unless `interpolate` is false); none when
    it does not exist."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    from qwenchat.cli.dotenv_check import quiet_dotenv

    quiet_dotenv()  # its parse errors are said once, with the line (`dotenv_check`)
    try:
        return dotenv_values(path, interpolate=interpolate)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text ({exc.reason})"
        raise ConfigError(f"cannot read {path}: {reason}") from None


def read_config(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed config file and its text; empty when it does not exist."""
    if not path.is_file():
        return {}, ""
    if sys.version_info >= (3, 11):  # imported here: most runs have no config file
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"cannot read config file {path}: nested too deeply") from None
    return data, text


def config_home(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME")
    return Path(base) if base else Path(environ.get("HOME", str(Path.home()))) / ".config"


def data_home(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME")
    return Path(base) if base else Path(environ.get("HOME", str(Path.home()))) / ".local" / "share"
