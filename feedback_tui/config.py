"""User settings from an optional TOML file.

The file is optional: a missing file means defaults, and an unreadable one
means defaults plus a warning, never a crash. Known keys::

    agent = "camille"                 # who is acting (else $FEEDBACK_TUI_AGENT, else login)
    languages = ["en", "fr"]          # languages we detect and analyse
    [keys]                            # remap any binding by its id
    "inbox.archive" = "E"
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from feedback_tui.paths import config_path

AGENT_ENV = "FEEDBACK_TUI_AGENT"


@dataclass
class Config:
    agent: str | None = None
    languages: list[str] = field(default_factory=lambda: ["en", "fr"])
    keys: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; problems become ``Config.warnings``."""
    path = path or config_path()
    config = Config()
    if not path.exists():
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        config.warnings.append(f"{path}: ignored, using defaults ({error})")
        return config
    if isinstance(data.get("agent"), str):
        config.agent = data["agent"]
    if isinstance(data.get("languages"), list):
        config.languages = [str(x) for x in data["languages"]]
    if isinstance(data.get("keys"), dict):
        config.keys = {str(k): str(v) for k, v in data["keys"].items()}
    return config


def resolve_agent(explicit: str | None, config: Config | None = None) -> str:
    """``--agent``, else ``$FEEDBACK_TUI_AGENT``, else the config, else the login name."""
    if explicit:
        return explicit
    if os.environ.get(AGENT_ENV):
        return os.environ[AGENT_ENV]
    if config and config.agent:
        return config.agent
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"
