"""Before `ask` sends anything: a model name that looks misspelt gets "did you mean …?".

The name is checked against the catalogue's names (no request); only when it is a typo away
from one of them is the server's `/models` asked, so a model the server does offer under that
name is sent as usual. `--model-exact` sends the name as written without asking.
"""

from __future__ import annotations

from qwenchat.core.catalogue import merged_names
from qwenchat.core.errors import UsageError
from qwenchat.core.model_names import listed, near
from qwenchat.core.settings import Settings


def check_model(settings: Settings, *, exact: bool) -> None:
    """Refuse a model name a typo away from a known one (exit 2), unless `exact`."""
    model, names = settings.model, settings.catalogue.names
    if exact or listed(model, names) or not near(model, names):
        return
    from qwenchat.cli.models import served_models

    served, _ = served_models(settings)
    if served and listed(model, served):
        return
    close = near(model, merged_names(settings.catalogue, served or ()))
    raise UsageError(
        f"unknown model {model!r}: did you mean {' or '.join(close)}?",
        hint="--model-exact sends the name as written",
    )
