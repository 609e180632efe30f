"""The price table and the cost of a turn: expected costs computed from the table's own rows."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.cost import (
    UNKNOWN,
    Cost,
    Pricing,
    budget_notice,
    cost_text,
    money,
    thought,
    turn_cost,
)
from qwenchat.core.errors import ConfigError
from qwenchat.core.events import Usage, parse_usage
from qwenchat.core.price_config import budget_from, prices_from
from qwenchat.core.prices import (
    BATCH_FACTOR,
    CACHED_INPUT_FACTOR,
    DEFAULT_PRICES,
    SOURCES,
    K,
    Price,
    Tier,
)
from qwenchat.core.reply import Reply, Timing, usage_line


def find(model: str, region: str) -> Price:
    price = DEFAULT_PRICES.find(model, region)
    assert price is not None, model
    return price


def test_a_tiered_model_is_priced_by_its_input_length() -> None:
    price = find("qwen3-max", "cn")
    small, middle = price.tiers[0], price.tiers[1]
    assert small.up_to == 32 * K
    short = turn_cost(price, Usage(prompt_tokens=1000, completion_tokens=400))
    assert short.amount == pytest.approx((1000 * small.input + 400 * small.output) / 1e6)
    long = turn_cost(price, Usage(prompt_tokens=40_000, completion_tokens=400))
    # both the input and the output price of the longer tier apply
    assert long.amount == pytest.approx((40_000 * middle.input + 400 * middle.output) / 1e6)
    assert middle.output > small.output
    assert short.currency == long.currency == "CNY"


def test_thinking_mode_output_is_priced_at_the_thinking_price() -> None:
    price = find("qwen-plus", "cn")
    tier = price.tiers[0]
    assert tier.output_thinking is not None
    assert tier.output_thinking > tier.output
    usage = Usage(prompt_tokens=2000, completion_tokens=900, reasoning_tokens=700)
    thinking = turn_cost(price, usage, thinking=thought(usage, ""))
    assert thinking.amount == pytest.approx((2000 * tier.input + 900 * tier.output_thinking) / 1e6)
    plain = turn_cost(price, Usage(prompt_tokens=2000, completion_tokens=900), thinking=False)
    assert plain.amount == pytest.approx((2000 * tier.input + 900 * tier.output) / 1e6)


def test_reasoning_counted_apart_from_completion_is_still_output() -> None:
    price = find("qwq-plus", "intl")
    tier = price.tiers[0]
    cost = turn_cost(price, Usage(prompt_tokens=10, completion_tokens=5, reasoning_tokens=50))
    assert cost.amount == pytest.approx((10 * tier.input + 50 * tier.output) / 1e6)


def test_cached_input_tokens_cost_a_fifth_of_the_input_price() -> None:
    usage = parse_usage(
        {"prompt_tokens": 5000, "completion_tokens": 100,
         "prompt_tokens_details": {"cached_tokens": 4096}}
    )  # fmt: skip
    assert usage.cached_tokens == 4096
    price = find("qwen-flash", "cn")
    tier = price.tiers[0]
    cost = turn_cost(price, usage)
    expected = (5000 - 4096) * tier.input + 4096 * tier.input * CACHED_INPUT_FACTOR
    assert cost.amount == pytest.approx((expected + 100 * tier.output) / 1e6)


def test_a_remote_batch_costs_half_without_the_cache_discount() -> None:
    price = find("qwen-turbo", "intl")
    tier = price.tiers[0]
    usage = Usage(prompt_tokens=3000, completion_tokens=1000, cached_tokens=2000)
    cost = turn_cost(price, usage, batch=True)
    assert cost.amount == pytest.approx((3000 * tier.input + 1000 * tier.output) * 0.5 / 1e6)
    assert cost.currency == "USD"


def test_unknown_price_or_tokens_is_unknown_never_zero() -> None:
    assert turn_cost(None, Usage(1, 1)) == UNKNOWN
    assert turn_cost(find("qwen-max", "cn"), None) == UNKNOWN
    assert turn_cost(find("qwen-max", "cn"), Usage(prompt_tokens=5)) == UNKNOWN
    assert cost_text(UNKNOWN) == "cost unknown"


def test_matching_follows_the_catalogue_rules() -> None:
    assert find("Qwen/qwen-plus-latest", "cn").pattern == "qwen-plus*"
    assert find("qwen-plus-2025-01-25", "cn").tiers[0].output_thinking is None
    assert find("qwen3-max-preview", "intl").pattern == "qwen3-max-preview*"
    assert DEFAULT_PRICES.find("qwen-long", "intl") is None  # Beijing only
    assert DEFAULT_PRICES.find("qwen-plus", None) is None  # not DashScope: no built-in price
    assert DEFAULT_PRICES.find("llama-3", "cn") is None


def test_every_entry_cites_a_source_and_a_tag() -> None:
    for price in DEFAULT_PRICES.entries:
        assert price.tag in ("V", "V3", "UNVERIFIED")
        assert price.source in SOURCES
        assert price.currency == {"cn": "CNY", "intl": "USD"}[price.region or ""]
        limits = [t.up_to for t in price.tiers if t.up_to is not None]
        assert limits == sorted(limits)
    assert all("20" in text for text in SOURCES.values())  # each source has a date


usages = st.builds(
    Usage,
    prompt_tokens=st.integers(0, 2_000_000),
    completion_tokens=st.integers(0, 100_000),
    reasoning_tokens=st.none() | st.integers(0, 100_000),
    cached_tokens=st.none() | st.integers(0, 2_000_000),
)
priced = st.sampled_from(DEFAULT_PRICES.entries)


@given(priced, usages, st.booleans())
def test_cost_properties(price: Price, usage: Usage, thinking: bool) -> None:
    full = turn_cost(price, usage, thinking=thinking)
    assert full.amount is not None
    assert full.amount >= 0
    batch = turn_cost(price, usage, thinking=thinking, batch=True)
    uncached = turn_cost(price, Usage(usage.prompt_tokens, usage.completion_tokens,
                                      usage.reasoning_tokens), thinking=thinking)  # fmt: skip
    assert batch.amount == pytest.approx(uncached.amount * BATCH_FACTOR)
    assert full.amount <= uncached.amount + 1e-12
    if not thinking:
        assert full.amount <= turn_cost(price, usage, thinking=True).amount + 1e-12


@given(priced, st.integers(0, 32 * K), st.integers(0, 10_000), st.integers(1, 10_000))
def test_more_output_never_costs_less(price: Price, prompt: int, out: int, more: int) -> None:
    less = turn_cost(price, Usage(prompt, out)).amount
    greater = turn_cost(price, Usage(prompt, out + more)).amount
    assert less is not None
    assert greater is not None
    assert greater > less


def test_usage_line_gains_the_cost() -> None:
    reply = Reply(usage=Usage(12, 30), cost=Cost(0.0042, "CNY"))
    assert usage_line(reply, Timing(None, 1.0)).endswith(" · ¥0.0042")
    estimated = Reply(cost=Cost(1.5, "USD", estimated=True))
    assert usage_line(estimated, Timing(None, 1.0)).endswith(" · ~$1.50")
    assert "¥" not in usage_line(Reply(usage=Usage(1, 1)), Timing(None, 1.0))
    assert money(3.1, "EUR") == "EUR 3.10"
    assert money(1234.5, "CNY") == "¥1,234.50"


def test_budget_lines_at_80_and_100_percent_once() -> None:
    assert budget_notice(30, 39, 50, "CNY") is None
    assert "80%" in (budget_notice(39, 41, 50, "CNY") or "")
    assert budget_notice(41, 45, 50, "CNY") is None
    line = budget_notice(45, 51, 50, "CNY") or ""
    assert "passed the monthly budget of ¥50.00" in line
    assert budget_notice(51, 60, 50, "CNY") is None


def test_pricing_says_nothing_off_dashscope_without_a_price() -> None:
    here = Pricing(DEFAULT_PRICES, None, dashscope=False)
    assert here.cost("qwen-plus", Usage(1, 1)) is None
    there = Pricing(DEFAULT_PRICES, "cn", dashscope=True)
    assert there.cost("house-model", Usage(1, 1)) == UNKNOWN
    assert there.cost("qwen-plus", Usage(1, 1), cached=True) == Cost(0.0, "CNY")


# config.toml's [models."…".price] tables


def settings_with(tmp_path: Path, text: str, **env: str) -> object:
    config = tmp_path / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return load_settings({}, {"XDG_CONFIG_HOME": str(tmp_path), **env}, tmp_path)


def test_a_config_price_overrides_the_table_and_adds_models(tmp_path: Path) -> None:
    settings = settings_with(
        tmp_path,
        '[models."qwen-plus".price]\nregion = "cn"\ninput = 1\noutput = 3\n'
        '[models."house-*".price]\ncurrency = "eur"\n'
        "tiers = [{up_to = 1000, input = 1, output = 2}, {input = 10, output = 20}]\n"
        '[models."house-model"]\ncontext_window = 8192\n',
    )
    prices = settings.prices
    plus = prices.find("qwen-plus", "cn")
    assert (plus.tiers[0].input, plus.currency, plus.tag) == (1.0, "CNY", "config")
    assert prices.find("qwen-plus", "intl").currency == "USD"  # the built-in entry still
    house = prices.find("house-model", None)
    assert house.currency == "EUR"
    assert turn_cost(house, Usage(2000, 10)).amount == pytest.approx((2000 * 10 + 10 * 20) / 1e6)
    assert settings.catalogue.lookup("house-model").context_window == 8192


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('[models."qwen-plus".price]\nregion = "cn"\ninput = 1\noutput = -2\n', "output", 4),
        ('# prices\n[models."x".price]\ncurrency = "CNY"\ninput = "cheap"\noutput = 1\n',
         "input", 4),
        ('[models."x".price]\ncurrency = "CNY"\ninput = 1\n', "output", 1),
        ('[models."x".price]\ncurrency = "CNY"\ninput = 1\noutput = 1\nfree = true\n', "free", 5),
        ('[models."x".price]\ninput = 1\noutput = 1\n', "currency", 1),
        ('[models."x"]\nprice = {currency = "CNY", input = 1, output = true}\n', "output", 2),
        ('[models."x".price]\ncurrency = "CNY"\ntiers = [{input = 1, output = 1}, '
         '{up_to = 5, input = 1, output = 1}]\n', "tiers[1].up_to", 3),
    ],
)  # fmt: skip
def test_a_bad_price_names_the_file_key_and_line(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_with(tmp_path, text)
    message = caught.value.message
    assert "config.toml" in message
    assert f"] {key}:" in message
    assert message.endswith(f"(line {line})")


def test_prices_from_without_the_text_still_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r'\[models."m".price\] input: expected a number'):
        prices_from({"m": {"price": {"currency": "CNY", "input": [], "output": 1}}},
                    DEFAULT_PRICES, where="cfg")  # fmt: skip


def test_monthly_budget(tmp_path: Path) -> None:
    assert settings_with(tmp_path, "monthly_budget = 50\n").monthly_budget == 50.0
    for bad in ("0", "-3", "lots", "inf"):
        with pytest.raises(ConfigError, match="monthly_budget"):
            budget_from(bad, "env")
    assert budget_from(None, None) is None
    assert math.isclose(budget_from("12.5", "env") or 0, 12.5)
    assert Tier(None, 1, 2).cached_input is None


DOCS = Path(__file__).resolve().parents[2] / "docs" / "usage.md"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _limit(value: int | None) -> str:
    if value is None:
        return "any"
    return f"≤{value // 1_000_000}M" if value % 1_000_000 == 0 else f"≤{value // K}K"


def doc_rows() -> list[str]:
    """The docs' price table, one line per entry, as the code holds it."""
    rows = []
    for price in DEFAULT_PRICES.entries:
        tiers = price.tiers
        cells = (
            f"`{price.pattern}`", price.region or "", price.currency,
            " / ".join(_limit(t.up_to) for t in tiers),
            " / ".join(_number(t.input) for t in tiers),
            " / ".join(_number(t.output) for t in tiers),
            " / ".join(_number(t.output_thinking) for t in tiers),
            price.tag, price.source,
        )  # fmt: skip
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def test_the_docs_list_every_price_as_the_code_holds_it() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [row for row in doc_rows() if row not in text]
    assert missing == []
    for key in SOURCES:
        assert f"| {key} |" in text
