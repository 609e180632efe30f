"""`/model NAME` and `/models [PAGE|all]`: the chat's model names, checked and shown.

`/model NAME` switches at once to a name the catalogue or the server lists, or to one that is
nothing's typo (a local server's own names). A name a typo away from a listed one
(`qwq-plsu`) is not taken: "did you mean qwq-plus?", and the same `/model NAME` again (↑, then
Enter) takes it as written. `/models` is the table `qwenchat models` prints, fitted to the
terminal's width, PAGE_ROWS models a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from qwenchat.chat.actions import ChatState, ListModels
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.model_names import listed, near
from qwenchat.render.model_table import as_table, model_rows

PAGE_ROWS = 15


def carry_out(
    state: ChatState,
    action: ListModels,
    names: Callable[[], list[str]],
    catalogue: Catalogue,
    width: int,
) -> tuple[ChatState, str]:
    """(the new state, what to tell the user) for `/model NAME` or `/models`."""
    if action.pick is not None:
        return pick(state, action.pick, names, catalogue)
    return state, page(names(), catalogue, action.page, current=state.model, width=width)


def pick(
    state: ChatState, name: str, names: Callable[[], list[str]], catalogue: Catalogue
) -> tuple[ChatState, str]:
    if listed(name, catalogue.names) or state.unconfirmed_model == name:
        return _switched(state, name)
    known = names()  # the server's list too (asked once per chat)
    close = [] if listed(name, known) else near(name, known)
    if not close:
        return _switched(state, name)
    told = (
        f"unknown model {name!r}: did you mean {' or '.join(close)}? "
        f"(/model {name} again uses it as written)"
    )
    return replace(state, unconfirmed_model=name), told


def _switched(state: ChatState, name: str) -> tuple[ChatState, str]:
    return replace(state, model=name, unconfirmed_model=None), f"model: {name}"


def page(names: list[str], catalogue: Catalogue, number: int, *, current: str, width: int) -> str:
    """Page `number` (0: all of them) of the models table, with how to see the others."""
    served = [name for name in names if name not in catalogue.names]
    rows = model_rows(catalogue, served)
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    if number > pages:
        return f"there are {pages} pages of models: /models 1 to /models {pages}, or /models all"
    shown = rows if number == 0 else rows[(number - 1) * PAGE_ROWS : number * PAGE_ROWS]
    table = as_table(shown, served=True, width=width).rstrip("\n")
    footer = [f"page {number} of {pages}"] if number and pages > 1 else []
    if 0 < number < pages:
        footer.append(f"/models {number + 1} for the next")
    footer += [f"current: {current}", "/model NAME switches"]
    return f"{table}\n{' · '.join(footer)}"
