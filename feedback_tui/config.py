"""User settings from an optional TOML file.

The file is optional: a missing file means defaults, and an unreadable one
(not TOML, not UTF-8, a directory) means defaults plus a warning, never a
crash; so does a key with a value of the wrong type. The file names your
sources and the environment variables that hold their tokens: it must be
private (0600), and a warning says so when other users can read or change it.
Known keys::

    agent = "camille"                 # who is acting (else $FEEDBACK_TUI_AGENT, else login)
    languages = ["en", "fr"]          # languages we detect and analyse
    sla_hours = 24                    # "answered within the SLA"
    [keys]                            # remap any binding by its id
    "triage.archive" = "E"
    [limits]                          # reply length per source (defaults: google_play 350)
    google_play = { max = 350, unit = "characters" }
    date_order = "dmy"                # numeric dates of files that do not tell (dmy or mdy)
    [imports.survey_monkey]           # an import profile: feedback-tui import --profile survey_monkey
    fields = { score = "Likely-To-Recommend", comment = "Why?" }
    survey_kind = "nps"               # also: kind, source, date_order, rating_scale, skip_identical
"""

from __future__ import annotations

import getpass
import os
import stat
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
    date_order: str | None = None  # numeric dates of files that do not tell which order they use
    imports: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [imports.NAME] profiles
    warnings: list[str] = field(default_factory=list)


_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "agent": (str, "a string"),
    "languages": (list, "a list of language codes"),
    "keys": (dict, "a table"),
    "limits": (dict, "a table"),
    "sources": (dict, "a table"),
    "sla_hours": ((int, float), "a number"),
    "date_order": (str, '"dmy" or "mdy"'),
    "imports": (dict, "a table of [imports.NAME] profiles"),
}


def permission_warning(path: Path) -> str | None:
    """A warning when users other than the owner can read or change ``path``."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"{path}: other users can read or change this file (mode {stat.S_IMODE(mode):04o}); "
                f"it names your sources and their secrets' variables: chmod 600 {path}")
    return None


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
    warning = permission_warning(path)
    if warning:
        config.warnings.append(warning)
    for key, (kind, label) in _TYPES.items():
        if key in data and (not isinstance(data[key], kind) or isinstance(data[key], bool)):
            config.warnings.append(f"{path}: {key!r} must be {label}; using the default")
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
    if isinstance(data.get("sla_hours"), (int, float)) and not isinstance(data.get("sla_hours"), bool):
        config.sla_hours = float(data["sla_hours"])
    if data.get("date_order") in ("dmy", "mdy"):
        config.date_order = data["date_order"]
    elif "date_order" in data:
        config.warnings.append(f"{path}: 'date_order' must be \"dmy\" or \"mdy\"; ignored")
    if isinstance(data.get("imports"), dict):
        for name, table in data["imports"].items():
            if isinstance(table, dict):
                config.imports[str(name)] = table
            else:
                config.warnings.append(f"{path}: imports.{name} must be a table; ignored")
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
