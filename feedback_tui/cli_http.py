"""HTTP commands (``fetch``, ``sources``, ``sync``): filled in by issue #6."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
