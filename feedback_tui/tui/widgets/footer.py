"""The key bar of every screen: Textual's Footer, rebuilt only when what it shows changes.

Textual's Footer recomposes (one widget per key: ~50 on the inbox) each time
its screen publishes ``bindings_updated``: when a dialog opens over the
screen and when it closes, when focus moves, and several times in a row while
a screen mounts. Measured on the bench database (issue 19), opening the filter
panel rebuilt the inbox's footer once, closing it once more, and opening a
review rebuilt the inbox's footer (hidden behind it) and the review's three
times: ~40-80 ms each on a busy 2-core machine, most of the time those
interactions took. Almost always the keys shown are the same as before.

This footer remembers what it last composed (each key shown, its label, its
display, enabled or not, its tooltip, its group) and rebuilds only when that
changes; several updates before the next refresh make one check.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's Footer, recomposed only when its keys change (see the module's docstring)."""

    _shown: tuple[Any, ...] | None = None
    _check_pending = False

    def _signature(self) -> tuple[Any, ...]:
        """What ``compose`` would show now, as a comparable value."""
        if not self._bindings_ready:
            return ("not ready",)
        keys = tuple(
            (binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled, tooltip,
             binding.group)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values() if binding.show
        )
        palette = self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
        return keys, palette, self.app.COMMAND_PALETTE_BINDING if palette else None

    def compose(self) -> Any:
        self._shown = self._signature()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached or self._signature() == self._shown:
            return
        await self.recompose()
