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
    company = "Panier"                # {company} in reply templates
    [products]                        # {product} in replies: display names of stored ids
    "com.example.shop" = "Panier"
    [keys]                            # remap any binding by its id
    "triage.archive" = "X"             # an unknown id or a key taken on a screen: a warning, not applied
    [limits]                          # reply length per source (defaults: google_play 350)
    google_play = { max = 350, unit = "characters" }
    date_order = "dmy"                # numeric dates of files that do not tell (dmy or mdy)
    [imports.survey_monkey]           # an import profile: feedback-tui import --profile survey_monkey
    fields = { score = "Likely-To-Recommend", comment = "Why?" }
    survey_kind = "nps"               # also: kind, source, date_order, rating_scale, skip_identical
    [dashboard]
    period = "rolling"                # cards: the last 30 days against the 30 before (default: "period",
                                      # the last complete week/month/quarter)
"""

from __future__ import annotations

import getpass
import math
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from feedback_tui.paths import config_path
from feedback_tui.text import clean

AGENT_ENV = "FEEDBACK_TUI_AGENT"
KNOWN_LANGUAGES = ("en", "fr")  # the languages sentiment.py has lexicons for
LIMIT_UNITS = ("characters", "bytes")
MAX_SLA_HOURS = 24 * 366
MAX_REPLY_LIMIT = 1_000_000
MAX_AGENT_LENGTH = 100


@dataclass
class Config:
    agent: str | None = None
    languages: list[str] = field(default_factory=lambda: ["en", "fr"])
    keys: dict[str, str] = field(default_factory=dict)
    limits: dict[str, dict[str, object]] = field(default_factory=dict)  # reply length per source
    sources: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [sources.NAME] tables
    sla_hours: float = 24.0
    dashboard_period: str = "period"  # or "rolling": the cards compare the last 30 days with the 30 before
    date_order: str | None = None  # numeric dates of files that do not tell which order they use
    imports: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [imports.NAME] profiles
    company: str | None = None  # {company} in reply templates
    products: dict[str, str] = field(default_factory=dict)  # stored product id -> name shown in replies
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
    "company": (str, "a string"),
    "products": (dict, "a table of product id = display name"),
    "dashboard": (dict, "a table"),
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
    where = clean(str(path), single_line=True)
    if isinstance(data.get("agent"), str):
        problem = agent_problem(data["agent"])
        if problem:
            config.warnings.append(f"{where}: 'agent' {problem}; using the default")
        else:
            config.agent = data["agent"]
    if isinstance(data.get("languages"), list):
        config.languages = _languages(data["languages"], where, config.warnings)
    if isinstance(data.get("keys"), dict):
        config.keys = _keys(data["keys"], where, config.warnings)
    if isinstance(data.get("limits"), dict):
        config.limits = _limits(data["limits"], where, config.warnings)
    if isinstance(data.get("sources"), dict):
        config.sources = {str(k): v for k, v in data["sources"].items() if isinstance(v, dict)}
    sla = data.get("sla_hours")
    if isinstance(sla, (int, float)) and not isinstance(sla, bool):
        if math.isfinite(sla) and 0 < sla <= MAX_SLA_HOURS:
            config.sla_hours = float(sla)
        else:
            config.warnings.append(f"{where}: 'sla_hours' = {sla} must be a number of hours between 0 and "
                                   f"{MAX_SLA_HOURS}; using {config.sla_hours:g}")
    if isinstance(data.get("dashboard"), dict) and "period" in data["dashboard"]:
        if data["dashboard"]["period"] in ("period", "rolling"):
            config.dashboard_period = data["dashboard"]["period"]
        else:
            config.warnings.append(f"{where}: dashboard.period must be \"period\" or \"rolling\"; "
                                   f"using {config.dashboard_period!r}")
    if data.get("date_order") in ("dmy", "mdy"):
        config.date_order = data["date_order"]
    elif "date_order" in data:
        config.warnings.append(f"{where}: 'date_order' must be \"dmy\" or \"mdy\"; ignored")
    if isinstance(data.get("company"), str):
        company = clean(data["company"], single_line=True).strip()
        if company:
            config.company = company
    if isinstance(data.get("products"), dict):
        for product, name in data["products"].items():
            if isinstance(name, str) and name.strip():
                config.products[str(product)] = clean(name, single_line=True).strip()
            else:
                config.warnings.append(f"{where}: products.{clean(repr(product), single_line=True)} must be a "
                                       "display name (a string); ignored")
    if isinstance(data.get("imports"), dict):
        for name, table in data["imports"].items():
            if isinstance(table, dict):
                config.imports[str(name)] = table
            else:
                config.warnings.append(f"{where}: imports.{clean(str(name), single_line=True)} must be a table; ignored")
    return config


def _languages(values: list[object], where: str, warnings: list[str]) -> list[str]:
    """Known language codes only: an unknown one (``"english"``) would be asked of the
    language identifier and the sentiment lexicons, which have no such model."""
    known = [v for v in values if isinstance(v, str) and v in KNOWN_LANGUAGES]
    unknown = [clean(repr(v), single_line=True) for v in values if not (isinstance(v, str) and v in KNOWN_LANGUAGES)]
    if unknown:
        warnings.append(f"{where}: 'languages' has {', '.join(unknown)}, not one of "
                        f"{', '.join(KNOWN_LANGUAGES)}; {'ignored' if known else 'using the default'}")
    return list(dict.fromkeys(known)) or list(KNOWN_LANGUAGES)


def _keys(values: dict[str, object], where: str, warnings: list[str]) -> dict[str, str]:
    """Key names are shown in the footer and the help screen: no control characters."""
    keys: dict[str, str] = {}
    for name, key in values.items():
        if not isinstance(key, str) or not key or clean(key) != key or clean(str(name)) != str(name):
            warnings.append(f"{where}: [keys] {clean(repr(name), single_line=True)} must be a key name "
                            "without control characters; ignored")
            continue
        keys[str(name)] = key
    return keys


def _limits(values: dict[str, object], where: str, warnings: list[str]) -> dict[str, dict[str, object]]:
    """``{max = N, unit = "characters"|"bytes"}`` (or a bare N) per source; a limit
    that is not a whole number in range would leave the composer unable to count."""
    limits: dict[str, dict[str, object]] = {}
    for source, value in values.items():
        entry = value if isinstance(value, dict) else {"max": value}
        size, unit = entry.get("max"), entry.get("unit", "characters")
        name = clean(str(source), single_line=True)
        size_ok = size is None or size is False or (
            isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= MAX_REPLY_LIMIT)
        if not size_ok or unit not in LIMIT_UNITS:
            warnings.append(f"{where}: [limits] {name} = {clean(repr(value), single_line=True)} must be "
                            f"{{max = a whole number up to {MAX_REPLY_LIMIT}, unit = \"characters\" or \"bytes\"}}; "
                            "using the default")
            continue
        limits[str(source)] = {"max": size or None, "unit": unit}
    return limits


def agent_problem(name: str) -> str | None:
    """Why ``name`` cannot be an agent's name, or None. The name is stored on replies
    and shown in headers: it must be text a terminal shows as it is."""
    if not name.strip():
        return "is empty"
    if len(name) > MAX_AGENT_LENGTH:
        return f"is longer than {MAX_AGENT_LENGTH} characters"
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        return "is not valid UTF-8"
    if clean(name) != name or "\n" in name or "\t" in name:
        return "holds control, bidi or invisible characters"
    return None


def resolve_agent(explicit: str | None, config: Config | None = None) -> str:
    """``--agent``, else ``$FEEDBACK_TUI_AGENT``, else the config, else the login name.

    A name that is not valid UTF-8 or holds control characters is refused here, at
    start, with :class:`UsageProblem`: stored on a reply it would fail later, far
    from its cause (the composer could neither send nor keep a draft)."""
    from feedback_tui.errors import UsageProblem

    for name, origin in ((explicit, "--agent"), (os.environ.get(AGENT_ENV), f"${AGENT_ENV}")):
        if name:
            problem = agent_problem(name)
            if problem:
                raise UsageProblem(f"{origin}: the agent name {clean(repr(name), single_line=True)} {problem}")
            return name
    if config and config.agent:
        return config.agent
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        return "agent"
    return login if agent_problem(login) is None else "agent"
