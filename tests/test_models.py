"""The model catalogue: named models, families by pattern, unknown models, config overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.catalogue import NAMED_MODELS, Catalogue, catalogue_from, describe, lookup
from qwenchat.core.errors import ConfigError


@pytest.mark.parametrize(
    ("model", "thinking", "default_on", "stream_only", "n", "json_mode", "context"),
    [
        ("qwen-plus", "hybrid", False, False, True, True, 131072),
        ("qwen-plus-latest", "hybrid", False, False, True, True, 131072),
        ("qwen-plus-2025-04-28", "hybrid", False, False, True, True, 131072),
        ("qwen-turbo", "hybrid", False, False, False, True, 1000000),
        ("qwen-max", "none", False, False, False, True, 32768),
        ("qwen-max-latest", "none", False, False, False, True, 32768),
        ("qwq-32b", "only", True, True, False, False, 131072),
        ("qwq-plus", "only", True, True, False, False, 131072),
        ("qwq:32b", "only", True, True, False, False, 131072),
        ("qwen3-235b-a22b", "hybrid", True, False, False, True, 131072),
        ("qwen3-0.6b", "hybrid", True, False, False, True, 32768),
        ("Qwen/Qwen3-8B", "hybrid", True, False, False, True, 131072),
        ("qwen3:8b", "hybrid", True, False, False, True, 131072),
        ("qwen2.5-7b-instruct-1m", "none", False, False, False, True, 1000000),
        ("qwen2.5-72b-instruct", "none", False, False, False, True, 131072),
        ("qwen2-7b-instruct", "none", False, False, False, None, 131072),
        ("qwen1.5-7b-chat", "none", False, False, False, None, 32768),
        ("my-local-model", "none", False, False, None, None, None),
    ],
)
def test_lookup(
    model: str,
    thinking: str,
    default_on: bool,
    stream_only: bool,
    n: bool | None,
    json_mode: bool | None,
    context: int | None,
) -> None:
    info = lookup(model)
    assert info.thinking == thinking
    assert info.thinking_default is default_on
    assert info.stream_only is stream_only
    assert info.n is n
    assert info.json_mode is json_mode
    assert info.context_window == context


@pytest.mark.parametrize("model", NAMED_MODELS)
def test_every_named_model_is_known(model: str) -> None:
    assert Catalogue().knows(model)
    assert lookup(model).description


def test_unknown_models_are_neutral() -> None:
    info = lookup("llama-3-8b")
    assert not Catalogue().knows("llama-3-8b")
    assert info.ignores == frozenset()
    assert (info.tools, info.n, info.json_mode, info.max_output) == (None, None, None, None)


def test_qwq_ignores_sampling_and_recommends_thinking_sampling() -> None:
    data = describe(lookup("qwq-plus"))
    assert "temperature" in data["ignores"]
    assert data["thinking_sampling"] == {"temperature": 0.6, "top_p": 0.95}


def test_override_changes_only_the_named_fields() -> None:
    catalogue = catalogue_from({"qwen-plus": {"context_window": 1000000, "n": False}})
    info = catalogue.lookup("qwen-plus")
    assert info.context_window == 1000000
    assert info.n is False
    assert info.thinking == "hybrid"  # inherited from qwen-plus*
    assert catalogue.lookup("qwen-plus-latest").context_window == 131072


def test_override_adds_a_family_and_a_listed_name() -> None:
    catalogue = catalogue_from(
        {
            "my-tune*": {"thinking": "only", "stream_only": True, "ignores": ["temperature"]},
            "house-model": {"description": "ours"},
        }
    )
    info = catalogue.lookup("my-tune-v2")
    assert (info.thinking, info.stream_only, info.ignores) == ("only", True, {"temperature"})
    assert "house-model" in catalogue.names
    assert "my-tune*" not in catalogue.names


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": "red"}, "unknown field"),
        ({"thinking": "sometimes"}, "none, hybrid or only"),
        ({"context_window": "big"}, "expected int"),
        ({"context_window": True}, "expected int"),
        ({"stream_only": "yes"}, "expected bool"),
    ],
)
def test_bad_overrides_are_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        catalogue_from({"qwen-plus": table})


def test_config_file_models_tables_reach_settings(tmp_path: Path) -> None:
    config = tmp_path / "cfg" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('model = "qwen-max"\n[models."qwen-max"]\ncontext_window = 65536\n')
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    settings = load_settings({}, environ, tmp_path)
    assert settings.model == "qwen-max"
    assert catalogue_from(settings.model_overrides).lookup("qwen-max").context_window == 65536
