"""Settings precedence, sources and key masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.errors import ConfigError
from qwenchat.core.provenance import Source
from qwenchat.core.settings import REGION_URLS, mask_key

KEY = "sk-test-settings-key-9f3e"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), **values}


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, env(tmp_path), tmp_path)
    assert settings.model == "qwen-plus"
    assert settings.region == "cn"
    assert settings.base_url == REGION_URLS["cn"]
    assert settings.api_key is None
    assert settings.source("model") == Source("default")


def test_precedence_flag_env_dotenv_local_dotenv_config(tmp_path: Path) -> None:
    write(tmp_path / "cfg/qwenchat/config.toml", 'model = "from-config"\ntimeout = 7\n')
    write(tmp_path / ".env", "QWENCHAT_MODEL=from-dotenv\nMODEL_NAME=ignored\n")
    write(tmp_path / ".env.local", "MODEL_NAME=from-dotenv-local\n")
    base = env(tmp_path)
    assert load_settings({}, base, tmp_path).model == "from-dotenv-local"
    (tmp_path / ".env.local").unlink()
    assert load_settings({}, base, tmp_path).model == "from-dotenv"
    (tmp_path / ".env").unlink()
    settings = load_settings({}, base, tmp_path)
    assert settings.model == "from-config"
    assert settings.timeout == 7
    assert settings.source("model").layer == "config"
    from_env = load_settings({}, {**base, "QWENCHAT_MODEL": "from-env"}, tmp_path)
    assert from_env.model == "from-env"
    assert from_env.source("model") == Source("env", "QWENCHAT_MODEL")
    assert str(from_env.source("model")) == "env QWENCHAT_MODEL"
    from_flag = load_settings({"model": "from-flag"}, {**base, "QWENCHAT_MODEL": "e"}, tmp_path)
    assert from_flag.model == "from-flag"
    assert from_flag.source("model") == Source("flag", "--model")
    assert str(from_flag.source("model")) == "flag --model"


def test_key_falls_back_to_openai_api_key(tmp_path: Path) -> None:
    settings = load_settings({}, env(tmp_path, OPENAI_API_KEY=KEY), tmp_path)
    assert settings.api_key == KEY
    assert settings.source("api_key") == Source("env", "OPENAI_API_KEY")
    both = load_settings({}, env(tmp_path, OPENAI_API_KEY="x", DASHSCOPE_API_KEY=KEY), tmp_path)
    assert both.source("api_key") == Source("env", "DASHSCOPE_API_KEY")


def test_region_and_base_url(tmp_path: Path) -> None:
    intl = load_settings({"region": "intl"}, env(tmp_path), tmp_path)
    assert intl.base_url == REGION_URLS["intl"]
    local = load_settings({}, env(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:8000/v1/"), tmp_path)
    assert local.base_url == "http://127.0.0.1:8000/v1"
    # a region given on the command line beats a base URL from the environment
    flag_region = load_settings(
        {"region": "intl"}, env(tmp_path, OPENAI_BASE_URL="http://x/v1"), tmp_path
    )
    assert flag_region.base_url == REGION_URLS["intl"]
    with pytest.raises(ConfigError, match="unknown region"):
        load_settings({"region": "mars"}, env(tmp_path), tmp_path)


def test_key_is_masked_and_never_in_repr(tmp_path: Path) -> None:
    settings = load_settings({}, env(tmp_path, DASHSCOPE_API_KEY=KEY), tmp_path)
    assert settings.masked_key == "sk-…9f3e"
    assert KEY not in repr(settings)
    assert mask_key(None) == "(not set)"
    assert "short" not in mask_key("short")


def test_bad_config_file(tmp_path: Path) -> None:
    write(tmp_path / "cfg/qwenchat/config.toml", "model = \n")
    with pytest.raises(ConfigError, match="config file"):
        load_settings({}, env(tmp_path), tmp_path)


def test_a_source_is_read_by_its_fields_not_its_text(tmp_path: Path) -> None:
    write(tmp_path / ".env", "QWENCHAT_BASE_URL=http://127.0.0.1:9/v1\n")
    settings = load_settings({"region": "intl"}, env(tmp_path), tmp_path)
    # a flag outranks a .env file: the region's URL, the .env base URL dropped
    assert settings.source("region").rank < Source(".env", "QWENCHAT_BASE_URL").rank
    assert settings.source("base_url") == Source("region", "intl")
    assert settings.base_url == REGION_URLS["intl"]
    assert Source("flag", "--api-key").trust < Source(".env", "X").trust
    assert Source(".env.local", "X").from_dotenv
    assert not Source("env", "X").from_dotenv
