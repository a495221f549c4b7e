"""User settings from an optional TOML file.

The file is optional: a missing file means defaults, and an unreadable one
means defaults plus a warning, never a crash. Known keys::

    agent = "camille"                 # who is acting (else $FEEDBACK_TUI_AGENT, else login)
    languages = ["en", "fr"]          # languages we detect and analyse
    sla_hours = 24                    # "answered within the SLA"
    [keys]                            # remap any binding by its id
    "triage.archive" = "E"
    [limits]                          # reply length per source (defaults: google_play 350)
    google_play = { max = 350, unit = "characters" }
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
    limits: dict[str, dict[str, object]] = field(default_factory=dict)  # reply length per source
    sources: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [sources.NAME] tables
    sla_hours: float = 24.0
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
    if isinstance(data.get("limits"), dict):
        config.limits = {str(k): v if isinstance(v, dict) else {"max": v} for k, v in data["limits"].items()}
    if isinstance(data.get("sources"), dict):
        config.sources = {str(k): v for k, v in data["sources"].items() if isinstance(v, dict)}
    if isinstance(data.get("sla_hours"), (int, float)):
        config.sla_hours = float(data["sla_hours"])
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
