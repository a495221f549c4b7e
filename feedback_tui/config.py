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
    send_grace_seconds = 10           # a sent reply waits this long (u cancels it); 0 sends at once
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
    [agents.camille]                  # who may log in to `feedback-tui serve` (written by `agents add`)
    password_hash = "scrypt$16384$8$1$..."
    [serve]                           # `feedback-tui serve`: its options' defaults
    idle_minutes = 30                 # a browser session idle this long is logged out
    behind_https = true               # a TLS proxy is in front: cookies are Secure
    trusted_proxies = ["127.0.0.1"]   # whose X-Forwarded-Proto / X-Forwarded-For to believe
    [retention]                       # retention figures: spend per period, and a fixed lifespan for clv
    costs = { "2011-01" = 500, "2011-Q2" = 1200 }
    lifespan_years = 3
    [sentiment]                       # the model learned from the stars (issue 17)
    model = "learned"                 # "lexicon": never train nor use a learned model
    min_per_class = 200               # labelled texts per class before a language leaves the lexicon
    retrain_after = 1000              # new labelled texts since the last model that retrain it after an import
    [dashboard]
    period = "rolling"                # cards: the last 30 days against the 30 before (default: "period",
                                      # the last complete week/month/quarter)
"""

from __future__ import annotations

import getpass
import ipaddress
import math
import os
import re
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
MAX_GRACE_SECONDS = 120
MAX_REPLY_LIMIT = 1_000_000
MAX_AGENT_LENGTH = 100
MAX_IDLE_MINUTES = 7 * 24 * 60


@dataclass
class ServeSettings:
    """The ``[serve]`` table: defaults for ``feedback-tui serve``'s options."""

    idle_minutes: float = 30.0
    behind_https: bool = False
    trusted_proxies: tuple[str, ...] = ()


@dataclass
class Config:
    agent: str | None = None
    languages: list[str] = field(default_factory=lambda: ["en", "fr"])
    keys: dict[str, str] = field(default_factory=dict)
    limits: dict[str, dict[str, object]] = field(default_factory=dict)  # reply length per source
    sources: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [sources.NAME] tables
    sla_hours: float = 24.0
    send_grace_seconds: float = 10.0  # the composer's send is held this long; u cancels (tui/held_reply.py)
    dashboard_period: str = "period"  # or "rolling": the cards compare the last 30 days with the 30 before
    date_order: str | None = None  # numeric dates of files that do not tell which order they use
    imports: dict[str, dict[str, object]] = field(default_factory=dict)  # raw [imports.NAME] profiles
    company: str | None = None  # {company} in reply templates
    products: dict[str, str] = field(default_factory=dict)  # stored product id -> name shown in replies
    agents: dict[str, str] = field(default_factory=dict)  # [agents.NAME] password_hash, for `serve`
    serve: ServeSettings = field(default_factory=lambda: ServeSettings())
    retention_costs: dict[str, float] = field(default_factory=dict)  # [retention] costs: period -> spend
    lifespan_years: float | None = None  # [retention] lifespan_years: clv's lifespan instead of 1 / churn
    sentiment: SentimentSettings = field(default_factory=lambda: SentimentSettings())
    warnings: list[str] = field(default_factory=list)


@dataclass
class SentimentSettings:
    """``[sentiment]``: whether the learned model is used and when an import trains it."""

    model: str = "learned"  # learned | lexicon
    min_per_class: int = 200  # sentiment_model.MIN_PER_CLASS: below it a language keeps the lexicon
    retrain_after: int = 1000  # new labelled texts (both classes) since a language's last model

    @property
    def learned(self) -> bool:
        return self.model != "lexicon"


_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "agent": (str, "a string"),
    "languages": (list, "a list of language codes"),
    "keys": (dict, "a table"),
    "limits": (dict, "a table"),
    "sources": (dict, "a table"),
    "sla_hours": ((int, float), "a number"),
    "send_grace_seconds": ((int, float), "a number of seconds"),
    "date_order": (str, '"dmy" or "mdy"'),
    "imports": (dict, "a table of [imports.NAME] profiles"),
    "company": (str, "a string"),
    "products": (dict, "a table of product id = display name"),
    "agents": (dict, "a table of [agents.NAME] tables"),
    "serve": (dict, "a table"),
    "retention": (dict, "a table (costs, lifespan_years)"),
    "sentiment": (dict, "a table"),
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


def _is_real(value: object) -> bool:
    """An int or a float from TOML, not a bool (``True`` is an int to Python,
    never a number of hours or seconds to a user)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
    if _is_real(sla):
        if math.isfinite(sla) and 0 < sla <= MAX_SLA_HOURS:
            config.sla_hours = float(sla)
        else:
            config.warnings.append(f"{where}: 'sla_hours' = {sla} must be a number of hours between 0 and "
                                   f"{MAX_SLA_HOURS}; using {config.sla_hours:g}")
    grace = data.get("send_grace_seconds")
    if _is_real(grace):
        if math.isfinite(grace) and 0 <= grace <= MAX_GRACE_SECONDS:
            config.send_grace_seconds = float(grace)
        else:
            config.warnings.append(f"{where}: 'send_grace_seconds' = {grace} must be between 0 and "
                                   f"{MAX_GRACE_SECONDS} seconds; using {config.send_grace_seconds:g}")
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
    if isinstance(data.get("agents"), dict):
        config.agents = _agents(data["agents"], where, config.warnings)
    if isinstance(data.get("serve"), dict):
        config.serve = _serve(data["serve"], where, config.warnings)
    if isinstance(data.get("retention"), dict):
        _retention(data["retention"], where, config)
    if isinstance(data.get("sentiment"), dict):
        config.sentiment = _sentiment(data["sentiment"], where, config.warnings)
    if isinstance(data.get("imports"), dict):
        for name, table in data["imports"].items():
            if isinstance(table, dict):
                config.imports[str(name)] = table
            else:
                config.warnings.append(f"{where}: imports.{clean(str(name), single_line=True)} must be a table; ignored")
    return config


def _retention(table: dict[str, object], where: str, config: Config) -> None:
    """``[retention]``: ``costs`` (period = spend, periods as YYYY-MM, YYYY-Qn or YYYY) and ``lifespan_years``."""
    costs = table.get("costs", {})
    if not isinstance(costs, dict):
        config.warnings.append(f"{where}: [retention] costs must be a table of period = spend; ignored")
        costs = {}
    for period, amount in costs.items():
        shown = clean(repr(period), single_line=True)
        if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?", str(period)) or not _is_real(amount) \
                or not math.isfinite(amount) or amount < 0:
            config.warnings.append(f"{where}: [retention] costs {shown} must be YYYY-MM, YYYY-Qn or YYYY = a "
                                   "spend of 0 or more; ignored")
            continue
        config.retention_costs[str(period)] = float(amount)
    years = table.get("lifespan_years")
    if years is not None:
        if _is_real(years) and math.isfinite(years) and years > 0:
            config.lifespan_years = float(years)
        else:
            config.warnings.append(f"{where}: [retention] lifespan_years must be a number of years above 0; ignored")
MODELS = ("learned", "lexicon")
MAX_TRAINING_COUNT = 10_000_000


def _sentiment(values: dict[str, object], where: str, warnings: list[str]) -> SentimentSettings:
    settings = SentimentSettings()
    model = values.get("model", settings.model)
    if model in MODELS:
        settings.model = str(model)
    else:
        warnings.append(f"{where}: [sentiment] model = {clean(repr(model), single_line=True)} must be "
                        f"\"learned\" or \"lexicon\"; using \"{settings.model}\"")
    for name in ("min_per_class", "retrain_after"):
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TRAINING_COUNT:
            setattr(settings, name, value)
        else:
            warnings.append(f"{where}: [sentiment] {name} = {clean(repr(value), single_line=True)} must be a whole "
                            f"number from 1 to {MAX_TRAINING_COUNT:,}; using {getattr(settings, name)}")
    return settings


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


def _agents(values: dict[str, object], where: str, warnings: list[str]) -> dict[str, str]:
    """``[agents.NAME]`` with a ``password_hash`` string; the name must be one
    :func:`agent_problem` accepts, as it becomes the app's ``--agent``. The hash
    itself is read by the server (``serve.auth``), which names a bad one."""
    agents: dict[str, str] = {}
    for name, table in values.items():
        shown = clean(repr(name), single_line=True)
        problem = agent_problem(str(name))
        if problem:
            warnings.append(f"{where}: [agents] {shown} {problem}; this agent cannot log in")
        elif not isinstance(table, dict) or not isinstance(table.get("password_hash"), str):
            warnings.append(f"{where}: agents.{shown} needs a password_hash (feedback-tui agents add NAME); "
                            "this agent cannot log in")
        else:
            agents[str(name)] = table["password_hash"]
    return agents


def _serve(values: dict[str, object], where: str, warnings: list[str]) -> ServeSettings:
    settings = ServeSettings()
    idle = values.get("idle_minutes", settings.idle_minutes)
    if _is_real(idle) and math.isfinite(idle) and 0 < idle <= MAX_IDLE_MINUTES:
        settings.idle_minutes = float(idle)
    else:
        warnings.append(f"{where}: serve.idle_minutes = {clean(repr(idle), single_line=True)} must be a number of "
                        f"minutes between 0 and {MAX_IDLE_MINUTES}; using {settings.idle_minutes:g}")
    https = values.get("behind_https", False)
    if isinstance(https, bool):
        settings.behind_https = https
    else:
        warnings.append(f"{where}: serve.behind_https must be true or false; using false")
    proxies = values.get("trusted_proxies", [])
    good: list[str] = []
    for proxy in proxies if isinstance(proxies, list) else [proxies]:
        try:
            good.append(str(ipaddress.ip_address(proxy if isinstance(proxy, str) else "")))
        except ValueError:
            warnings.append(f"{where}: serve.trusted_proxies: {clean(repr(proxy), single_line=True)} is not an IP "
                            "address; ignored")
    settings.trusted_proxies = tuple(good)
    return settings


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
