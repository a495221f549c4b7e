"""Command palette entries: every described binding of the current screen.

So that whatever has a key can also be found by name with ``ctrl+p``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen


def binding_commands(app: App, screen: Screen) -> Iterable[SystemCommand]:
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in seen or not active.enabled:
            continue
        seen.add(binding.action)
        key = app.get_key_display(binding)
        yield SystemCommand(
            binding.description,
            f"key: {key}" + (f" · {binding.tooltip}" if binding.tooltip else ""),
            partial(app.call_later, app.run_action, binding.action, active.node),
        )
