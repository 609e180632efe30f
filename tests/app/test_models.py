"""The model catalogue: named models, families by pattern, unknown models, config overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.catalogue import DEFAULT_CATALOGUE, Catalogue, catalogue_from, describe
from qwenchat.core.errors import ConfigError
from qwenchat.core.lineup import NAMED_MODELS
from tests.conftest import Cli

lookup = DEFAULT_CATALOGUE.lookup


@pytest.mark.parametrize(
    ("model", "thinking", "default_on", "stream_only", "n", "json_mode", "context"),
    [
        ("qwen-plus", "hybrid", False, False, True, True, 1000000),
        ("qwen-plus-latest", "hybrid", False, False, True, True, 1000000),
        ("qwen-plus-2025-04-28", "hybrid", False, False, True, True, 131072),
        ("qwen-plus-2025-07-14", "hybrid", False, False, True, True, 131072),
        ("qwen-plus-2025-09-11", "hybrid", False, False, True, True, 1000000),
        ("qwen-plus-2025-01-25", "none", False, False, True, True, 131072),  # predates thinking
        ("qwen-plus-2024-09-19", "none", False, False, True, True, 131072),
        ("qwen-turbo", "hybrid", False, False, False, True, 131072),
        ("qwen-turbo-latest", "hybrid", False, False, False, True, 131072),
        ("qwen-turbo-2025-04-28", "hybrid", False, False, False, True, 131072),
        ("qwen-turbo-2024-11-01", "none", False, False, False, True, 1000000),
        ("qwen-flash", "hybrid", False, False, False, True, 1000000),
        ("qwen-max", "none", False, False, False, True, 32768),
        ("qwen-max-latest", "none", False, False, False, True, 131072),
        ("qwen-max-2024-09-19", "none", False, False, False, True, 32768),
        ("qwen3-max", "hybrid", False, False, False, True, 262144),
        ("qwen3-max-2026-01-23", "hybrid", False, False, False, True, 262144),
        ("qwen3-max-2025-09-23", "none", False, False, False, True, 262144),
        ("qwen3-max-preview", "hybrid", False, False, False, True, 262144),
        ("qwen3-coder-plus", "none", False, False, False, True, 1000000),
        ("qwen3-coder-flash-2025-07-28", "none", False, False, False, True, 1000000),
        ("qwen3-235b-a22b-thinking-2507", "only", True, False, False, False, 131072),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", "only", True, False, False, False, 131072),
        ("qwen3-235b-a22b-instruct-2507", "none", False, False, False, True, 131072),
        ("qwen3-30b-a3b-instruct-2507", "none", False, False, False, True, 131072),
        ("qwen3-next-80b-a3b-thinking", "only", True, False, False, False, 131072),
        ("qwen3-next-80b-a3b-instruct", "none", False, False, False, True, 131072),
        ("qwq-32b", "only", True, True, False, False, 131072),
        ("qwq-plus", "only", True, True, False, False, 131072),
        ("qwq:32b", "only", True, True, False, False, 131072),
        ("qvq-max", "only", True, True, False, False, 131072),
        ("deepseek-r1", "only", True, False, False, False, 131072),
        ("deepseek-r1-distill-qwen-32b", "only", True, False, False, False, 32768),
        ("deepseek-v3", "none", False, False, False, True, 131072),
        ("qwen3-235b-a22b", "hybrid", True, False, False, True, 131072),
        ("qwen3-4b", "hybrid", True, False, False, True, 32768),
        ("qwen3:1.7b", "hybrid", True, False, False, True, 32768),
        ("qwen3-0.6b", "hybrid", True, False, False, True, 32768),
        ("Qwen/Qwen3-8B", "hybrid", True, False, False, True, 131072),
        ("qwen3:8b", "hybrid", True, False, False, True, 131072),
        ("qwen3-vl-plus", "hybrid", False, False, False, True, 262144),
        ("qwen-vl-max", "none", False, False, False, True, 131072),
        ("qwen-long", "none", False, False, False, None, 10000000),
        ("qwen-omni-turbo", "none", False, True, False, False, 32768),
        ("qwen-mt-plus", "none", False, False, False, False, 16384),
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


@pytest.mark.parametrize(
    ("model", "vision"),
    [("qwen-vl-max", True), ("qwen-vl-plus", True), ("qwen3-vl-flash", True), ("qvq-max", True),
     ("qwen-omni-turbo", True), ("qwen-plus", False), ("qwen3-max", False)],
)  # fmt: skip
def test_vision_models_are_marked(model: str, vision: bool) -> None:
    assert lookup(model).vision is vision


@pytest.mark.parametrize("model", NAMED_MODELS)
def test_every_named_model_says_where_its_facts_come_from(model: str) -> None:
    assert lookup(model).source


def test_the_specific_pattern_wins_over_the_family() -> None:
    """Every named model lands on the first entry it matches, never on a broader one later."""
    assert lookup("qwen3-235b-a22b-instruct-2507").pattern != "qwen3[-:]235b-a22b*"
    assert lookup("qwen3-coder-plus").pattern == "qwen3-coder-plus*"
    assert lookup("deepseek-r1").budget is False
    assert lookup("qwq-plus").avoid_system is True


def test_an_override_says_it_comes_from_the_config_file() -> None:
    info = catalogue_from({"qwen-max": {"context_window": 65536}}).lookup("qwen-max")
    assert info.source.startswith("config file, over ")


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
    assert catalogue.lookup("qwen-plus-latest").context_window == 1000000


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
        ({"thinking_param": "inline"}, "top-level, chat_template_kwargs, both"),
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
    assert settings.catalogue.lookup("qwen-max").context_window == 65536


def test_models_table_marks_vision_and_numbers_the_sources(cli: Cli) -> None:
    result = cli("models")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split()
    assert "vision" in header
    assert header[-1] == "source"
    rows = {line.split()[0]: line.split() for line in lines[1:] if not line.startswith(("(", " "))}
    vision = header.index("vision") - 1  # "listed by" is two words (both rows think "-")
    assert rows["qwen-vl-max"][vision] == "yes"
    assert rows["qwen-max"][vision] == "-"
    number = rows["qwen-turbo"][-1]
    legend = [line.strip() for line in lines if line.startswith("  [")]
    assert any(
        line.startswith(f"{number} model-studio/qwen-turbo page, read 2026-12-03")
        for line in legend
    )


def test_models_json_has_vision_and_source(cli: Cli) -> None:
    rows = {row["name"]: row for row in json.loads(cli("models", "--json").stdout)}
    assert rows["qvq-max"]["vision"] is True
    assert rows["qwen3-max"]["vision"] is False
    assert "deep-thinking" in rows["qwen3-235b-a22b-thinking-2507"]["source"]
    assert all(row["source"] for row in rows.values() if row["known"])
