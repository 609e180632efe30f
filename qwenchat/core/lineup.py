"""The built-in model line-up: data only, each entry with the page its facts come from.

Patterns are fnmatch patterns over the lower-cased bare name (`org/` dropped); the
first match wins, so the most specific come first: `qwen3-…-thinking-2507` before the
open `qwen3-…` family, dated snapshots that predate hybrid thinking before their
family. `name:tag` forms are Ollama's. docs/models.md lists every entry, what was
verified against Model Studio's pages and what was not.
"""

from __future__ import annotations

from typing import Any

from qwenchat.core.model_info import SAMPLING_IGNORED_BY_QWQ, THINKING_SAMPLING, ModelInfo

# Sources: Model Studio documentation (alibabacloud.com/help/en/model-studio/…), with the
# date the page shows or the date it was read. "unverified": not confirmed on such a page.
THINK = "model-studio/deep-thinking, updated 2026-06-18"
TURBO = "model-studio/qwen-turbo page, read 2026-12-03"
QWQ = "model-studio/qwq-plus page and the QwQ guide, read 2026-12-03; limits unverified"
DEEPSEEK = "model-studio DeepSeek page (doc-detail/2868565), updated 2026-03-24"
LONG = "model-studio/long-context-qwen-long, updated 2025-12-25; max output unverified"
MIRROR = "copies of help.aliyun.com model pages, ~2025-12; unverified on the live page"
MODELS = "model-studio/models as of late 2025; unverified"
OPEN = "Qwen3 model cards (32k native) and " + THINK + "; DashScope limits unverified"
ERA = "predates hybrid thinking (Qwen2.5 generation), " + MODELS
LOCAL = "open-weight family default; limits unverified"
# Pages read on 2026-12-04 (the Qwen Cloud pages are undated; the models they name date them).
QC_THINK = (
    "docs.qwencloud.com/developer-guides/text-generation/thinking (names "
    "qwen3.7-max-2026-06-08, so 2026-06 or later), read 2026-12-04"
)
ZH = "help.aliyun.com/zh/model-studio/models (copy of 2026-02-03), read 2026-12-04"
QC_PRICE = "docs.qwencloud.com/developer-guides/getting-started/pricing (Qwen3.7 era)"
QC_VISION = "docs.qwencloud.com/developer-guides/multimodal/vision (Qwen3.6 era)"
NEW = QC_THINK + "; 1M window: " + QC_PRICE + "; max output unverified"
FAMILY = "family defaults: no page lists this name yet; " + QC_THINK


def _plain(
    pattern: str, context: int | None, output: int | None, text: str, source: str, **more: Any
) -> ModelInfo:
    """A model without thinking."""
    more = {"tools": True, "n": False, "json_mode": True, "vision": False, **more}
    return ModelInfo(pattern, context_window=context, max_output=output, description=text,
                     source=source, **more)  # fmt: skip


def _hybrid(
    pattern: str, context: int | None, output: int | None, text: str, source: str, **more: Any
) -> ModelInfo:
    """A model that thinks when asked (`thinking_default` says whether it does unasked)."""
    more = {
        "tools": True,
        "n": False,
        "json_mode": True,
        "vision": False,
        "thinking_default": False,
        **more,
    }
    return ModelInfo(pattern, thinking="hybrid", context_window=context, max_output=output,
                     thinking_sampling=THINKING_SAMPLING, description=text, source=source,
                     **more)  # fmt: skip


def _qwen35(
    pattern: str, context: int | None, text: str, source: str = NEW, **more: Any
) -> ModelInfo:
    """Qwen3.5 and later: hybrid, thinking on by default, images and video, thinking may be
    non-streamed (Qwen Cloud's thinking guide)."""
    more = {"thinking_default": True, "vision": True, "nonstream_thinking": True, **more}
    return _hybrid(pattern, context, None, text, source, **more)


def _family(pattern: str, context: int | None, text: str) -> ModelInfo:
    """A documented family's behaviour for a name no page lists yet (`qwen3.9-plus`)."""
    return _qwen35(pattern, context, text + " (family defaults)", FAMILY, vision=None,
                   family=True)  # fmt: skip


def _only(
    pattern: str, context: int | None, output: int | None, text: str, source: str, **more: Any
) -> ModelInfo:
    """A model that always thinks: no `enable_thinking: false`, no JSON mode."""
    more = {"tools": True, "n": False, "json_mode": False, "vision": False, **more}
    return ModelInfo(pattern, thinking="only", thinking_default=True, context_window=context,
                     max_output=output, thinking_sampling=THINKING_SAMPLING, description=text,
                     source=source, **more)  # fmt: skip


_OPEN3 = "Qwen3 open-weight, thinking on by default"

CATALOGUE: tuple[ModelInfo, ...] = (
    # Qwen3.5 and later: the documented models first, then the family rules
    _qwen35("qwen3.5-omni*", 65536, "Qwen3.5-Omni (thinking and limits unverified)",
            QC_PRICE + "; unverified", thinking_default=False, nonstream_thinking=False),
    _qwen35("qwen3.5-plus*", 1000000, "Qwen3.5-Plus, thinks by default"),
    _qwen35("qwen3.5-flash*", 1000000, "Qwen3.5-Flash, thinks by default"),
    _qwen35("qwen3.6-max-preview*", 262144, "Qwen3.6-Max preview, thinks by default",
            QC_THINK + "; 256K tiers: " + QC_PRICE, preserve_thinking=False),
    _qwen35("qwen3.6-plus*", 1000000, "Qwen3.6-Plus, thinks by default",
            preserve_thinking=False),
    _qwen35("qwen3.6-flash*", 1000000, "Qwen3.6-Flash, thinks by default"),
    _qwen35("qwen3.7-max-2026-05-20", 1000000, "Qwen3.7-Max first snapshot (text only)",
            QC_THINK + "; input up to 991K: " + QC_PRICE, vision=False,
            preserve_thinking=False),
    _qwen35("qwen3.7-max*", 1000000, "Qwen3.7-Max, thinks by default",
            QC_THINK + "; input up to 991K: " + QC_PRICE, preserve_thinking=False),
    _qwen35("qwen3.7-plus*", 1000000, "Qwen3.7-Plus, thinks by default",
            preserve_thinking=False),
    _qwen35("qwen3.7-flash*", 1000000, "Qwen3.7-Flash, thinks by default"),
    _qwen35("qwen3.8-*", 1000000, "Qwen3.8 (seen on third-party pages only)",
            "unverified: no Model Studio page seen; " + FAMILY, vision=None),
    _qwen35("qwen3.[56][-:][0-9]*b*", None, "Qwen3.5/3.6 open-weight, thinks by default",
            QC_THINK + "; " + QC_VISION + "; window unverified"),
    _family("qwen3.[5-9][-:][0-9]*b*", None, "Qwen3.N open-weight"),
    _family("qwen3.[1-9][0-9][-:][0-9]*b*", None, "Qwen3.N open-weight"),
    _family("qwen3.[5-9]-*", 1000000, "Qwen3.N commercial"),
    _family("qwen3.[1-9][0-9]-*", 1000000, "Qwen3.N commercial"),
    # always thinking
    _only("qwq*", 131072, 8192, "QwQ reasoning model (streaming only)", QWQ, stream_only=True,
          ignores=SAMPLING_IGNORED_BY_QWQ, avoid_system=True),
    _only("qvq*", 131072, 8192, "QVQ visual reasoning (streaming only)", MODELS,
          stream_only=True, tools=False, vision=True),
    _only("deepseek-r1-distill-*", 32768, 16384, "DeepSeek-R1 distills, always think",
          ZH, tools=None, budget=False),
    _only("deepseek-r1*", 131072, 16384, "DeepSeek-R1 and distills, always think (no budget)",
          DEEPSEEK, tools=None, budget=False),
    _only("qwen3-vl-*-thinking*", None, None, "Qwen3-VL open-weight, thinking only", MODELS,
          vision=True),
    _only("qwen3[-:]*-thinking*", 131072, 32768, "Qwen3 thinking-only (2507, Next)",
          THINK + "; limits: " + MODELS),
    # no thinking
    _plain("qwen3-vl-*-instruct*", None, None, "Qwen3-VL open-weight, no thinking", MODELS,
           vision=True),
    _plain("qwen3-coder-plus*", 1000000, 65536, "Qwen3 coder, no thinking", MODELS),
    _plain("qwen3-coder-flash*", 1000000, 65536, "Qwen3 coder, no thinking", MIRROR),
    _plain("qwen3-coder*", None, None, "Qwen3 coder open-weight, no thinking", MODELS),
    _plain("qwen3[-:]*-instruct*", 131072, 32768, "Qwen3 instruct-only (2507, Next)", MODELS),
    # commercial Qwen3
    _hybrid("qwen3-omni-flash*", 65536, 16384, "Qwen3-Omni, thinking off by default",
            ZH + "; " + QC_THINK, vision=True, tools=None),
    _hybrid("qwen3-max-preview*", 262144, 65536, "Qwen3-Max preview, thinking off by default",
            THINK + "; " + ZH),
    _plain("qwen3-max-2025-09-23", 262144, 65536, "Qwen3-Max snapshot, no thinking", ZH),
    _hybrid("qwen3-max-2026-01-23", 262144, 65536,
            "Qwen3-Max-Thinking snapshot (thinking output 32,768)", ZH),
    _hybrid("qwen3-max*", 262144, 65536, "strongest Qwen3 commercial model, thinking off by "
            "default", ZH + " (then non-thinking only); mid-2026 error-code and web-extractor "
            "pages list it in thinking mode; unverified whether it aliases 2026-01-23"),
    _hybrid("qwen3-vl-plus*", 262144, 32768, "Qwen3-VL, thinking off by default", MIRROR,
            vision=True),
    _hybrid("qwen3-vl-flash*", 262144, 32768, "Qwen3-VL, thinking off by default", MIRROR,
            vision=True),
    # open-weight Qwen3, hybrid and thinking by default
    _hybrid("qwen3[-:]0.6b*", 32768, 8192, _OPEN3, OPEN, thinking_default=True),
    _hybrid("qwen3[-:]1.7b*", 32768, 8192, _OPEN3, OPEN, thinking_default=True),
    _hybrid("qwen3[-:]4b*", 32768, 8192, _OPEN3, OPEN, thinking_default=True),
    _hybrid("qwen3[-:]8b*", 131072, 8192, _OPEN3, MODELS, thinking_default=True),
    _hybrid("qwen3[-:]14b*", 131072, 8192, _OPEN3, MODELS, thinking_default=True),
    _hybrid("qwen3[-:]32b*", 131072, 16384, _OPEN3, MODELS, thinking_default=True),
    _hybrid("qwen3[-:]30b-a3b*", 131072, 16384, _OPEN3, MODELS, thinking_default=True),
    _hybrid("qwen3[-:]235b-a22b*", 131072, 16384, _OPEN3, MODELS, thinking_default=True),
    _hybrid("qwen3[-:]*", 131072, 8192, _OPEN3, LOCAL, thinking_default=True),
    # commercial: dated snapshots from before hybrid thinking, then each family
    _plain("qwen-plus-202[0-4]-*", 131072, 8192, "Qwen-Plus snapshot, no thinking", ERA, n=True),
    _plain("qwen-plus-2025-0[1-3]-*", 131072, 8192, "Qwen-Plus snapshot, no thinking", ERA,
           n=True),
    _hybrid("qwen-plus-2025-04-28", 131072, 16384, "first hybrid Qwen-Plus snapshot", MODELS,
            n=True),
    _hybrid("qwen-plus-2025-07-14", 131072, 16384, "Qwen-Plus snapshot, 128k", MODELS, n=True),
    _hybrid("qwen-plus*", 1000000, 32768, "balanced commercial model, thinking off by default",
            THINK + "; limits: " + MIRROR, n=True),
    _plain("qwen-turbo-202[0-4]-*", 1000000, 8192, "Qwen-Turbo snapshot, no thinking", ERA),
    _plain("qwen-turbo-2025-0[1-3]-*", 1000000, 8192, "Qwen-Turbo snapshot, no thinking", ERA),
    _hybrid("qwen-turbo*", 131072, 16384, "fast model, no longer updated (use qwen-flash)",
            TURBO + "; tools and \"no longer updated\": " + ZH
            + " and model-studio/qwen-function-calling, updated 2026-06-18"),
    _hybrid("qwen-flash*", 1000000, 32768, "fastest commercial model, thinking off by default",
            MIRROR),
    _plain("qwen-max-latest", 131072, 8192, "Qwen2.5-Max, latest, no thinking", ZH),
    _plain("qwen-max-2025-01-25", 131072, 8192, "Qwen2.5-Max snapshot, no thinking", ZH),
    _plain("qwen-max*", 32768, 8192, "Qwen2.5-Max commercial model, no thinking", MIRROR),
    _plain("qwen-vl-ocr-latest", 38192, 8192, "text-reading (OCR) vision model", ZH,
           tools=False, vision=True, json_mode=None),
    _plain("qwen-vl-ocr*", 34096, 4096, "text-reading (OCR) vision model", ZH, tools=False,
           vision=True, json_mode=None),
    _plain("qwen-vl-plus*", 131072, 8192, "vision model", MIRROR, tools=False, vision=True),
    _plain("qwen-vl*", 131072, 8192, "vision model", MODELS, tools=None, vision=True),
    _plain("qwen-long*", 10000000, 32768, "10M-token context, documents by file id",
           LONG + "; output 32,768: " + ZH, tools=None, json_mode=None),
    ModelInfo("qwen-omni-turbo*", stream_only=True, tools=False, n=False, json_mode=False,
              vision=True, context_window=32768, max_output=2048,
              description="omni-modal model (streaming only; no longer updated)",
              source=MODELS + "; \"no longer updated\": " + ZH),
    ModelInfo("qwen-mt-*", tools=False, vision=False, n=False, json_mode=False,
              context_window=16384, max_output=8192, description="translation model",
              source=MODELS),
    _hybrid("deepseek-v3.2*", 131072, 65536, "DeepSeek-V3.2, thinking off by default",
            ZH + "; window unverified", budget=False),
    _plain("deepseek-v3", 131072, 8192, "DeepSeek-V3, no thinking",
           DEEPSEEK + "; max output unverified"),
    # older open-weight generations
    _plain("qwen*-1m", 1000000, 8192, "long-context open-weight", LOCAL),
    _plain("qwen2.5-vl*", None, None, "Qwen2.5-VL open-weight", LOCAL, vision=True),
    _plain("qwen2.5[-:]*", 131072, 8192, "Qwen2.5 open-weight", LOCAL),
    ModelInfo("qwen2[-:]*", n=False, context_window=131072, description="Qwen2 open-weight",
              source=LOCAL),
    ModelInfo("qwen1.5-*", n=False, context_window=32768, description="Qwen1.5 open-weight",
              source=LOCAL),
)  # fmt: skip

NAMED_MODELS: tuple[str, ...] = (
    "qwen3.7-max", "qwen3.7-plus", "qwen3.7-flash", "qwen3.6-max-preview", "qwen3.6-plus",
    "qwen3.6-flash", "qwen3.5-plus", "qwen3.5-flash", "qwen3.5-397b-a17b",
    "qwen3.5-122b-a10b", "qwen3.5-35b-a3b", "qwen3.5-27b", "qwen3.6-35b-a3b", "qwen3.6-27b",
    "qwen3.5-omni-plus", "qwen3.5-omni-flash", "qwen3-omni-flash",
    "qwen3-max", "qwen3-max-2026-01-23", "qwen3-max-2025-09-23", "qwen3-max-preview",
    "qwen-max", "qwen-max-latest",
    "qwen-plus", "qwen-plus-latest", "qwen-plus-2025-01-25", "qwen-flash",
    "qwen-turbo", "qwen-turbo-latest", "qwen-turbo-2024-11-01",
    "qwen3-coder-plus", "qwen3-coder-flash",
    "qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-instruct-2507",
    "qwen3-30b-a3b-thinking-2507", "qwen3-30b-a3b-instruct-2507",
    "qwen3-next-80b-a3b-thinking", "qwen3-next-80b-a3b-instruct",
    "qwen3-235b-a22b", "qwen3-32b", "qwen3-30b-a3b", "qwen3-14b", "qwen3-8b",
    "qwen3-4b", "qwen3-1.7b", "qwen3-0.6b",
    "qwq-plus", "qwq-32b", "qvq-max", "qvq-plus",
    "qwen-vl-max", "qwen-vl-plus", "qwen-vl-ocr", "qwen3-vl-plus", "qwen3-vl-flash",
    "qwen-long", "qwen-omni-turbo", "qwen-mt-plus", "qwen-mt-turbo", "qwen-mt-flash",
    "qwen-mt-lite", "deepseek-r1", "deepseek-r1-distill-qwen-32b", "deepseek-v3",
    "deepseek-v3.2",
    "qwen2.5-72b-instruct", "qwen2.5-32b-instruct", "qwen2.5-14b-instruct",
    "qwen2.5-7b-instruct", "qwen2.5-14b-instruct-1m", "qwen2.5-7b-instruct-1m",
    "qwen2-72b-instruct", "qwen2-7b-instruct",
    "qwen1.5-110b-chat", "qwen1.5-72b-chat", "qwen1.5-32b-chat", "qwen1.5-14b-chat",
    "qwen1.5-7b-chat",
)  # fmt: skip
