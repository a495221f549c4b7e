"""``feedback-tui agents add/remove/list`` and ``serve``'s start-up checks, through the real CLI."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedback_tui.cli import cli
from feedback_tui.config import load_config
from feedback_tui.serve.auth import Logins, PasswordFormatError, hash_password, parse_hash, verify


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(path))
    return path


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_agents_add_writes_a_private_scrypt_hash_and_keeps_the_rest(config_file: Path) -> None:
    config_file.parent.mkdir()
    config_file.write_text('# my settings\nsla_hours = 12\n\n[keys]\n"triage.archive" = "X"\n', encoding="utf-8")
    config_file.chmod(0o600)
    result = _run("agents", "add", "camille", "--password-stdin", stdin="a long password\n")
    assert result.exit_code == 0, result.output
    assert "Agent added: camille" in result.output and "scrypt" not in result.output
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith("# my settings\nsla_hours = 12")  # comments and other tables kept
    data = tomllib.loads(text)
    stored = data["agents"]["camille"]["password_hash"]
    assert stored.startswith("scrypt$16384$8$1$") and "a long password" not in text
    assert verify("a long password", parse_hash(stored)) and not verify("a long passwore", parse_hash(stored))
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    config = load_config()
    assert config.warnings == [] and config.sla_hours == 12 and config.keys == {"triage.archive": "X"}
    assert list(config.agents) == ["camille"]


def test_a_new_password_replaces_the_old_and_names_may_hold_spaces(config_file: Path) -> None:
    assert _run("agents", "add", "Marc Dupont", "--password-stdin", stdin="first password\n").exit_code == 0
    first = load_config().agents["Marc Dupont"]
    result = _run("agents", "add", "Marc Dupont", "--password-stdin", stdin="second password\n")
    assert result.exit_code == 0 and "Password changed: Marc Dupont" in result.output
    second = load_config().agents["Marc Dupont"]
    assert first != second and parse_hash(first).salt != parse_hash(second).salt
    logins = Logins(load_config().agents)
    assert logins.check("Marc Dupont", "second password") and not logins.check("Marc Dupont", "first password")
    assert _run("agents", "list").output.splitlines() == ["Marc Dupont"]
    assert _run("agents", "remove", "Marc Dupont").exit_code == 0
    assert load_config().agents == {}


@pytest.mark.parametrize(("name", "password", "message"), [
    ("camille", "short", "at least 8 characters"),
    ("bad\x1b[31mname", "a long password", "holds control"),
    ("   ", "a long password", "is empty"),
])
def test_bad_names_and_passwords_are_one_line_and_write_nothing(config_file: Path, name: str, password: str,
                                                                message: str) -> None:
    result = _run("agents", "add", name, "--password-stdin", stdin=password + "\n")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert "\x1b" not in result.output
    assert not config_file.exists()


def test_a_config_that_is_not_toml_is_not_overwritten(config_file: Path) -> None:
    config_file.parent.mkdir()
    config_file.write_text("this is = = not toml\n", encoding="utf-8")
    result = _run("agents", "add", "camille", "--password-stdin", stdin="a long password\n")
    assert result.exit_code == 2 and "cannot read the config to change it" in result.output
    assert config_file.read_text(encoding="utf-8") == "this is = = not toml\n"


def test_config_warns_about_agents_that_cannot_log_in_and_bad_serve_values(config_file: Path) -> None:
    config_file.parent.mkdir()
    config_file.write_text(
        '[agents.camille]\npassword_hash = "scrypt$nope"\n[agents."  "]\npassword_hash = "x"\n[agents.bob]\n'
        '[serve]\nidle_minutes = -3\nbehind_https = "yes"\ntrusted_proxies = ["127.0.0.1", "proxy.local"]\n',
        encoding="utf-8")
    config_file.chmod(0o600)
    config = load_config()
    assert list(config.agents) == ["camille"]  # its hash is read (and refused) by the server
    joined = "\n".join(config.warnings)
    assert "is empty; this agent cannot log in" in joined and "agents.'bob' needs a password_hash" in joined
    assert "serve.idle_minutes" in joined and "serve.behind_https" in joined and "'proxy.local'" in joined
    assert config.serve.idle_minutes == 30 and config.serve.trusted_proxies == ("127.0.0.1",)
    logins = Logins(config.agents)
    assert logins.names == [] and "agent 'camille'" in logins.problems[0] and "scrypt$nope" not in logins.problems[0]


@pytest.mark.parametrize("text", ["", "scrypt$16384$8$1$c2FsdA", "bcrypt$1$2$3$4$5", "scrypt$3$8$1$c2FsdA$a2V5a2V5a2V5a2V5a2V5",
                                  "scrypt$16384$8$1$$a2V5a2V5a2V5a2V5a2V5", "scrypt$x$8$1$c2FsdA$a2V5"])
def test_hashes_this_version_cannot_read_are_refused(text: str) -> None:
    with pytest.raises(PasswordFormatError):
        parse_hash(text)


def test_hashes_carry_their_parameters() -> None:
    cheap = hash_password("a long password", n=2**10, r=4, p=1)
    stored = parse_hash(cheap)
    assert (stored.n, stored.r, stored.p) == (1024, 4, 1)
    assert verify("a long password", stored) and "a long" not in repr(stored) and stored.salt.hex() not in repr(stored)


def test_a_login_longer_than_any_password_is_refused_even_if_it_starts_with_one() -> None:
    from feedback_tui.serve.auth import MAX_PASSWORD_BYTES

    exact = "p" * MAX_PASSWORD_BYTES
    logins = Logins({"camille": hash_password(exact, n=2**10)})
    assert logins.check("camille", exact) and not logins.check("camille", exact + "and more")


def test_serve_refuses_to_start_without_agents(config_file: Path, tmp_path: Path) -> None:
    result = _run("--db", str(tmp_path / "f.db"), "serve")
    assert result.exit_code == 2 and "feedback-tui agents add NAME" in result.output


def test_serve_refuses_a_bad_proxy_address(config_file: Path, tmp_path: Path) -> None:
    _run("agents", "add", "camille", "--password-stdin", stdin="a long password\n")
    result = _run("--db", str(tmp_path / "f.db"), "serve", "--trusted-proxy", "my-proxy")
    assert result.exit_code == 2 and "--trusted-proxy: 'my-proxy' is not an IP address" in result.output
