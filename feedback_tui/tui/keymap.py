"""The config's ``[keys]`` checked against the bindings before Textual applies them.

Textual's ``set_keymap`` gives a binding its new key and quietly drops any
other binding of the same screen that had that key: ``"triage.archive" = "E"``
took "Edit my reply" off the detail screen, and ``E`` there archived. An
unknown id (``"triage.archiv"``) did nothing and said nothing. Here each entry
is checked first: an unknown id, or a key that another binding of the same
screen (or an app-wide one) already has, is left out and reported, naming both
ids, so that no binding is ever lost without the agent knowing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType


def _keys(key: str) -> set[str]:
    return {part.strip() for part in key.split(",") if part.strip()}


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding)]


def binding_groups() -> dict[str, list[Binding]]:
    """Every bindings map of the app, by the name of the screen, dialog or widget that holds it."""
    from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
    from feedback_tui.tui.dialogs.filters import FilterDialog
    from feedback_tui.tui.screens.composer import ComposerScreen
    from feedback_tui.tui.screens.dashboard import DashboardScreen
    from feedback_tui.tui.screens.help import HelpScreen
    from feedback_tui.tui.screens.inbox import InboxScreen
    from feedback_tui.tui.screens.retention import RetentionScreen
    from feedback_tui.tui.screens.review import ReviewScreen
    from feedback_tui.tui.screens.templates import TemplateDialog, TemplatesScreen
    from feedback_tui.tui.widgets.review_list import ReviewList
    from feedback_tui.tui.widgets.score_card import ScoreCard
    from feedback_tui.tui.widgets.trend_panel import TrendPanel

    holders = {"inbox": InboxScreen, "review detail": ReviewScreen, "composer": ComposerScreen,
               "templates": TemplatesScreen, "dashboard": DashboardScreen, "retention": RetentionScreen, "help": HelpScreen,
               "choice dialog": ChoiceDialog, "text prompt": TextPrompt, "filter dialog": FilterDialog,
               "template dialog": TemplateDialog, "review list": ReviewList, "score card": ScoreCard,
               "trend panel": TrendPanel}
    return {name: _bindings(cls.BINDINGS) for name, cls in holders.items()}


SCREENS = ("inbox", "review detail", "composer", "templates", "dashboard", "retention")
"""The screens where the app-wide bindings (quit, help, dashboard...) also answer."""


def check_keymap(keymap: Mapping[str, str], groups: Mapping[str, list[Binding]],
                 app_bindings: list[Binding]) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` that are safe to apply, and a line for each one left out."""
    known = {b.id for group in (*groups.values(), app_bindings) for b in group if b.id}
    warnings: list[str] = []
    accepted: dict[str, str] = {}
    for binding_id, key in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (? lists the ids)"
            warnings.append(f"[keys] {binding_id!r} is not a binding id: ignored{hint}")
            continue
        accepted[binding_id] = key

    def effective(binding: Binding) -> set[str]:
        return _keys(accepted.get(binding.id or "", binding.key))

    clashes: dict[str, list[str]] = {}
    for name, group in groups.items():
        scope = [*group, *app_bindings] if name in SCREENS else list(group)
        for binding in scope:
            if binding.id not in accepted:
                continue
            for other in scope:
                if other is binding or other.id == binding.id:
                    continue
                shared = effective(binding) & effective(other)
                if shared and (other.id not in accepted or other.id and binding.id < other.id):
                    clashes.setdefault(binding.id or "", []).append(
                        f"{', '.join(sorted(shared))} is already {other.id} ({other.description}) on the {name}")
    for binding_id, reasons in clashes.items():
        accepted.pop(binding_id, None)
        warnings.append(f"[keys] {binding_id} = {keymap[binding_id]!r} ignored: {'; '.join(dict.fromkeys(reasons))}")
    return accepted, warnings
