"""``eval-sentiment``: filled in by issue #7."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
