"""The price table: what DashScope charges per million tokens, by model and region (pure data).

Entries are matched by model name pattern with the catalogue's rules (`org/Name` and case
ignored, fnmatch, first match wins). Beijing (`cn`) prices are in CNY, Singapore (`intl`) in
USD. A tier applies when the request's *input* tokens are at most `up_to` (K = 1,024); its
input and output prices both apply. `output_thinking` is the output price when the model
thought (hybrid Qwen3 models charge more then); None means the same as `output`.
Cached input tokens cost `CACHED_INPUT_FACTOR` of the input price; the Batch service
charges `BATCH_FACTOR` of the real-time price, without the cache discount.

Every entry names where its numbers come from and when they were checked, with a tag:
V (seen on an Alibaba Cloud page), V3 (a third-party copy of the official numbers),
UNVERIFIED (from the Model Studio models page as remembered, late 2025). Prices change
often: docs/usage.md lists the sources, and `[models."NAME".price]` in config.toml
overrides any entry (see `qwenchat.core.price_config`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from qwenchat.core.endpoints import REGIONS

K = 1024
M = 1_000_000
CACHED_INPUT_FACTOR = 0.2  # V: alibabacloud.com/help/en/model-studio/context-cache, 2026-03-31
# V: help.aliyun.com/en/model-studio/batch-inference (undated), checked 2026-12-03
BATCH_FACTOR = 0.5
# Each region's currency (core.endpoints.REGIONS); built-in prices exist for cn and intl only,
# so a turn elsewhere is "cost unknown" unless the config prices it, never Beijing's CNY.
CURRENCIES: dict[str, str] = {code: region.currency for code, region in REGIONS.items()}
SYMBOLS: dict[str, str] = {"CNY": "¥", "USD": "$"}

# Sources, cited by key beside each entry below (page, date last updated or seen).
SOURCES: dict[str, str] = {
    "PAAS": "help.aliyun.com/en/document_detail/3023262.html (AI PaaS billing rules; "
    "undated copy), checked 2026-12-03",
    "BILLING": "alibabacloud.com/help/en/model-studio/billing-for-model-studio "
    "(flagship minimum prices; undated copy), checked 2026-12-03",
    "MAAS": "copy of help.aliyun.com/zh/model-studio/models in the Maas-Model-platform "
    "parsed_json files (about 2025-12), checked 2026-12-03",
    "THIRD": "OpenRouter, Vercel and LiteLLM-style price tables, api-evangelist "
    "qwen-plans-pricing.yml (2026-05-08), checked 2026-12-03",
    "MODELS": "alibabacloud.com/help/en/model-studio/models and "
    "help.aliyun.com/zh/model-studio/models as remembered (late 2025); not checked",
    "ZH2026": "help.aliyun.com/zh/model-studio/models (模型列表), copy of 2026-02-03 in "
    "cinience/alicloud-skills; Singapore prices there in CNY at 7.3395 per USD, divided "
    "back; read 2026-12-04",
    "QCPRICE": "docs.qwencloud.com/developer-guides/getting-started/pricing (Qwen Cloud list "
    "prices in USD; undated, names Qwen3.7), read 2026-12-04",
    "LONG": "mirror of the Qwen-Long page (help.aliyun.com/zh/model-studio/long-context-qwen-long"
    "), checked 2026-12-03",
}


@dataclass(frozen=True)
class Tier:
    """Prices per million tokens while the input is at most `up_to` tokens (None: any)."""

    up_to: int | None
    input: float
    output: float
    output_thinking: float | None = None
    cached_input: float | None = None  # None: CACHED_INPUT_FACTOR × input


@dataclass(frozen=True)
class Price:
    """A model's (or family's) prices in one region; `region` None applies to any endpoint."""

    pattern: str
    currency: str
    tiers: tuple[Tier, ...]
    region: str | None = None
    tag: str = "UNVERIFIED"  # V, V3 or UNVERIFIED
    source: str = "MODELS"  # a SOURCES key, or where a config entry came from

    def tier(self, input_tokens: int) -> Tier:
        """The tier the input length falls in; beyond the last, the last."""
        for tier in self.tiers:
            if tier.up_to is None or input_tokens <= tier.up_to:
                return tier
        return self.tiers[-1]

    def matches(self, model: str, region: str | None) -> bool:
        if self.region is not None and self.region != region:
            return False
        return fnmatch.fnmatchcase(bare(model), self.pattern.lower())


def bare(model: str) -> str:
    """The name as the catalogue matches it: lower case, without an `org/` prefix."""
    return model.lower().rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PriceTable:
    """Entries searched in order: the config file's first, then the built-in ones."""

    entries: tuple[Price, ...]

    def find(self, model: str, region: str | None) -> Price | None:
        """The price of a model on an endpoint; built-in prices need a DashScope region."""
        return next((p for p in self.entries if p.matches(model, region)), None)

    def with_entries(self, first: tuple[Price, ...]) -> PriceTable:
        return PriceTable((*first, *self.entries))


def _flat(inp: float, out: float, think: float | None = None) -> tuple[Tier, ...]:
    return (Tier(None, inp, out, think),)


def _tiers(limits: tuple[int | None, ...], ins: tuple[float, ...], outs: tuple[float, ...],
           thinks: tuple[float | None, ...] | None = None) -> tuple[Tier, ...]:  # fmt: skip
    think = thinks or (None,) * len(limits)
    return tuple(Tier(*row) for row in zip(limits, ins, outs, think, strict=True))


def _cn(pattern: str, tiers: tuple[Tier, ...], tag: str = "UNVERIFIED", src: str = "MODELS"
        ) -> Price:  # fmt: skip
    return Price(pattern, "CNY", tiers, region="cn", tag=tag, source=src)


def _intl(pattern: str, tiers: tuple[Tier, ...], tag: str = "UNVERIFIED", src: str = "MODELS"
          ) -> Price:  # fmt: skip
    return Price(pattern, "USD", tiers, region="intl", tag=tag, source=src)


_ZH = ("V3", "ZH2026")  # seen in a copy of the official Chinese models page
_QC = ("V3", "QCPRICE")  # seen in a copy of Qwen Cloud's pricing page
_MAX3 = (32 * K, 128 * K, 256 * K)  # qwen3-max, qwen3-vl-plus/flash
_CODER = (32 * K, 128 * K, 256 * K, M)
_PLUS_CN = (128 * K, 256 * K, M)
_MAX_INTL = (32 * K, 128 * K, 252 * K)

# China (Beijing), CNY per million tokens. Most specific patterns first.
BEIJING: tuple[Price, ...] = (
    _cn("qwen3-max-preview*", _tiers(_MAX3, (6, 10, 15), (24, 40, 60), (24, 40, 60)), *_ZH),
    _cn("qwen3-max-2025-09-23", _tiers(_MAX3, (6, 10, 15), (24, 40, 60)), *_ZH),
    _cn("qwen3-max*", _tiers(_MAX3, (2.5, 4, 7), (10, 16, 28)), *_ZH),
    _cn("qwen-max*", _flat(2.4, 9.6), *_ZH),
    _cn("qwen-plus-2025-01-25", _flat(0.8, 2), *_ZH),
    _cn("qwen-plus-2025-04-28", _flat(0.8, 2, 8), *_ZH),
    _cn("qwen-plus-2025-07-14", _flat(0.8, 2, 8), *_ZH),
    _cn("qwen-plus*", _tiers(_PLUS_CN, (0.8, 2.4, 4.8), (2, 20, 48), (8, 24, 64)), *_ZH),
    _cn("qwen-flash*", _tiers(_PLUS_CN, (0.15, 0.6, 1.2), (1.5, 6, 12)), *_ZH),
    _cn("qwen-turbo-2024*", _flat(0.3, 0.6)),
    _cn("qwen-turbo*", _flat(0.3, 0.6, 3), *_ZH),
    _cn("qwen3-coder-plus*", _tiers(_CODER, (4, 6, 10, 20), (16, 24, 40, 200)), *_ZH),
    _cn("qwen3-coder-flash*", _tiers(_CODER, (1, 1.5, 2.5, 5), (4, 6, 10, 25)), *_ZH),
    _cn("qwen3-235b-a22b-thinking-2507", _flat(2, 20), *_ZH),
    _cn("qwen3-235b-a22b-instruct-2507", _flat(2, 8), *_ZH),
    _cn("qwen3-30b-a3b-thinking-2507", _flat(0.75, 7.5), *_ZH),
    _cn("qwen3-30b-a3b-instruct-2507", _flat(0.75, 3), *_ZH),
    _cn("qwen3-next-80b-a3b-thinking", _flat(1, 10), *_ZH),
    _cn("qwen3-next-80b-a3b-instruct", _flat(1, 4), *_ZH),
    _cn("qwen3-235b-a22b", _flat(2, 8, 20), *_ZH),
    _cn("qwen3-32b", _flat(2, 8, 20), *_ZH),
    _cn("qwen3-30b-a3b", _flat(0.75, 3, 7.5), *_ZH),
    _cn("qwen3-14b", _flat(1, 4, 10), *_ZH),
    _cn("qwen3-8b", _flat(0.5, 2, 5), *_ZH),
    _cn("qwen3-4b", _flat(0.3, 1.2, 3), *_ZH),
    _cn("qwen3-1.7b", _flat(0.3, 1.2, 3), *_ZH),
    _cn("qwen3-0.6b", _flat(0.3, 1.2, 3), *_ZH),
    _cn("qwq-plus*", _flat(1.6, 4), *_ZH),
    _cn("qwq-32b*", _flat(2, 6), *_ZH),
    _cn("qvq-max*", _flat(8, 32), *_ZH),
    _cn("qvq-plus*", _flat(2, 5), *_ZH),
    _cn("qwen3-vl-plus*", _tiers(_MAX3, (1, 1.5, 3), (10, 15, 30)), *_ZH),
    _cn("qwen3-vl-flash*", _tiers(_MAX3, (0.15, 0.3, 0.6), (1.5, 3, 6)), *_ZH),
    _cn("qwen-vl-ocr-latest", _flat(0.3, 0.5), *_ZH),
    _cn("qwen-vl-ocr*", _flat(5, 5), *_ZH),
    _cn("qwen-vl-max*", _flat(1.6, 4), *_ZH),
    _cn("qwen-vl-plus*", _flat(0.8, 2), *_ZH),
    _cn("qwen-long*", _flat(0.5, 2), "V3", "LONG"),
    _cn("qwen-omni-turbo*", _flat(0.4, 1.6), *_ZH),
    _cn("qwen-mt-plus*", _flat(1.8, 5.4), *_ZH),
    _cn("qwen-mt-turbo*", _flat(0.7, 1.95), *_ZH),
    _cn("qwen-mt-flash*", _flat(0.7, 1.95), *_ZH),
    _cn("qwen-mt-lite*", _flat(0.6, 1.6), *_ZH),
    _cn("deepseek-r1-distill-qwen-7b", _flat(0.5, 1), *_ZH),
    _cn("deepseek-r1-distill-qwen-14b", _flat(1, 3), *_ZH),
    _cn("deepseek-r1-distill-qwen-32b", _flat(2, 6), *_ZH),
    _cn("deepseek-r1", _flat(4, 16), *_ZH),
    _cn("deepseek-r1-[0-9]*", _flat(4, 16), *_ZH),
    _cn("deepseek-v3.2*", _flat(2, 3), *_ZH),
    _cn("deepseek-v3", _flat(2, 8)),
)  # fmt: skip

# International (Singapore), USD per million tokens.
SINGAPORE: tuple[Price, ...] = (
    _intl("qwen3.7-max*", _flat(2.5, 7.5), *_QC),
    _intl("qwen3.7-plus*", _tiers((256 * K, M), (0.4, 1.2), (1.6, 4.8)), *_QC),
    _intl("qwen3.6-max-preview*", _tiers((128 * K, 256 * K), (1.3, 2), (7.8, 12)), *_QC),
    _intl("qwen3.6-flash*", _tiers((256 * K, M), (0.25, 1), (1.5, 4)), *_QC),
    _intl("qwen3.5-omni-plus*", _flat(1.4, 8.3), *_QC),
    _intl("qwen3-max-preview*", _tiers(_MAX_INTL, (1.2, 2.4, 3), (6, 12, 15)), *_ZH),
    _intl("qwen3-max*", _tiers(_MAX_INTL, (1.2, 2.4, 3), (6, 12, 15)), "V3", "THIRD"),
    _intl("qwen-max*", _flat(1.6, 6.4), "V", "BILLING"),
    _intl("qwen-plus-2025-01-25", _flat(0.4, 1.2), "V3", "THIRD"),
    _intl("qwen-plus-2025-04-28", _flat(0.4, 1.2, 4), "V3", "THIRD"),
    _intl("qwen-plus-2025-07-14", _flat(0.4, 1.2, 4), "V3", "THIRD"),
    _intl("qwen-plus*", _tiers((256 * K, M), (0.4, 1.2), (1.2, 3.6), (4, 12)), "V3", "THIRD"),
    _intl("qwen-flash*", _tiers((256 * K, M), (0.05, 0.25), (0.4, 2)), *_ZH),
    _intl("qwen-turbo-2024*", _flat(0.05, 0.2), "V3", "THIRD"),
    _intl("qwen-turbo*", _flat(0.05, 0.2, 0.5), "V3", "THIRD"),
    _intl("qwen3-coder-plus*", _tiers(_CODER, (1, 1.8, 3, 6), (5, 9, 15, 60)), *_ZH),
    _intl("qwen3-coder-flash*", _tiers(_CODER, (0.3, 0.5, 0.8, 1.6), (1.5, 2.5, 4, 9.6)), *_ZH),
    _intl("qwen3-235b-a22b-thinking-2507", _flat(0.23, 2.3)),
    _intl("qwen3-235b-a22b-instruct-2507", _flat(0.23, 0.92)),
    _intl("qwen3-30b-a3b-thinking-2507", _flat(0.2, 2.4)),
    _intl("qwen3-30b-a3b-instruct-2507", _flat(0.2, 0.8)),
    _intl("qwen3-next-80b-a3b-thinking", _flat(0.15, 1.2), "V3", "THIRD"),
    _intl("qwen3-next-80b-a3b-instruct", _flat(0.15, 1.2), "V3", "THIRD"),
    _intl("qwen3-235b-a22b", _flat(0.7, 2.8, 8.4), *_ZH),
    _intl("qwen3-32b", _flat(0.16, 0.64), *_ZH),
    _intl("qwen3-30b-a3b", _flat(0.2, 0.8, 2.4), *_ZH),
    _intl("qwen3-14b", _flat(0.35, 1.4, 4.2), *_ZH),
    _intl("qwen3-8b", _flat(0.18, 0.7, 2.1), *_ZH),
    _intl("qwen3-4b", _flat(0.11, 0.42, 1.26), *_ZH),
    _intl("qwen3-1.7b", _flat(0.11, 0.42, 1.26), *_ZH),
    _intl("qwen3-0.6b", _flat(0.11, 0.42, 1.26), *_ZH),
    _intl("qwq-plus*", _flat(0.8, 2.4), *_ZH),
    _intl("qvq-max*", _flat(1.2, 4.8), *_ZH),
    _intl("qwen3-vl-plus*", _tiers(_MAX3, (0.2, 0.3, 0.6), (1.6, 2.4, 4.8)), *_ZH),
    _intl("qwen3-vl-flash*", _tiers(_MAX3, (0.05, 0.075, 0.12), (0.4, 0.6, 0.96)), *_ZH),
    _intl("qwen-vl-max*", _flat(0.8, 3.2), *_ZH),
    _intl("qwen-vl-plus*", _flat(0.21, 0.63), *_ZH),
    _intl("qwen-omni-turbo*", _flat(0.07, 0.27), *_ZH),
    _intl("qwen-mt-plus*", _flat(2.46, 7.37), *_ZH),
    _intl("qwen-mt-turbo*", _flat(0.16, 0.49), *_ZH),
    _intl("qwen-mt-flash*", _flat(0.16, 0.49), *_ZH),
    _intl("qwen-mt-lite*", _flat(0.12, 0.36), *_ZH),
)  # fmt: skip

DEFAULT_PRICES = PriceTable((*BEIJING, *SINGAPORE))


def describe_price(price: Price | None) -> dict[str, object] | None:
    """A price as plain JSON-ready data (for `models --json`)."""
    if price is None:
        return None
    return {
        "currency": price.currency,
        "region": price.region,
        "per": "1M tokens",
        "tiers": [
            {"up_to": t.up_to, "input": t.input, "output": t.output,
             "output_thinking": t.output_thinking, "cached_input": cached_rate(t)}
            for t in price.tiers
        ],
        "tag": price.tag,
        "source": SOURCES.get(price.source, price.source),
    }  # fmt: skip


def cached_rate(tier: Tier) -> float:
    return tier.cached_input if tier.cached_input is not None else tier.input * CACHED_INPUT_FACTOR
