"""Who may open the app in a browser: password hashes, logins and sessions.

No web framework here, only the standard library, so the rules can be read
(and tested) apart from the server:

- a password is kept as ``scrypt$n$r$p$salt$hash`` (``hashlib.scrypt``, a random
  16-byte salt, the cost parameters stored with the hash so they can be raised
  later without breaking the hashes already written);
- :meth:`Logins.check` costs one scrypt computation whether the agent exists or
  not (an unknown agent is checked against a dummy hash made at start) and
  compares with :func:`hmac.compare_digest`, so that neither the answer nor its
  time tells an unknown agent from a wrong password;
- a session is a random token the server keeps in memory: a cookie is worth
  something only while its token is in :class:`Sessions`, so a forged or old
  cookie is refused without any signature to check, and a restart logs everyone
  out. Sessions end after ``idle`` seconds without a request or a key press.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB of memory and ~50 ms per check on one core
SALT_BYTES = 16
KEY_BYTES = 32
MAX_PASSWORD_BYTES = 1024  # longer input is refused before scrypt, so a login cannot cost more than one hash
MIN_PASSWORD_CHARS = 8
TOKEN_BYTES = 32


class PasswordFormatError(ValueError):
    """A stored hash that this version cannot read (edited by hand, truncated)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int, size: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass")[:MAX_PASSWORD_BYTES], salt=salt,  # see check()
                          n=n, r=r, p=p, dklen=size, maxmem=n * r * 128 + 1024 * 1024)


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused when it is set, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password needs at least {MIN_PASSWORD_CHARS} characters"
    if len(password.encode("utf-8", "surrogatepass")) > MAX_PASSWORD_BYTES:
        return f"a password is at most {MAX_PASSWORD_BYTES} bytes"
    return None


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """The text kept in the config for ``password``: scheme, parameters, salt, hash."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True, slots=True)
class StoredHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def __repr__(self) -> str:  # never print the hash, even in a traceback's locals
        return f"StoredHash(n={self.n}, r={self.r}, p={self.p})"


def parse_hash(text: str) -> StoredHash:
    """Read a stored hash; raise :class:`PasswordFormatError` on anything else."""
    parts = text.split("$") if isinstance(text, str) else []
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PasswordFormatError("not a scrypt$n$r$p$salt$hash password hash")
    try:
        n, r, p = (int(v) for v in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PasswordFormatError("its parameters or salt cannot be read") from None
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16 or n > 2**20 or len(key) < 16 or not salt:
        raise PasswordFormatError("its parameters are out of range")
    return StoredHash(n, r, p, salt, key)


def verify(password: str, stored: StoredHash) -> bool:
    """Whether ``password`` made ``stored``, compared in constant time."""
    candidate = _derive(password, stored.salt, stored.n, stored.r, stored.p, len(stored.key))
    return hmac.compare_digest(candidate, stored.key)


class Logins:
    """The agents who may log in, from the config's ``[agents.NAME]`` tables.

    ``agents`` maps a name to its stored hash text; a hash that cannot be read
    is left out, with a line in :attr:`problems` (the server prints them), so
    that agent cannot log in until ``agents add`` writes it again.
    """

    def __init__(self, agents: Mapping[str, str]) -> None:
        self._hashes: dict[str, StoredHash] = {}
        self.problems: list[str] = []
        for name, text in agents.items():
            try:
                self._hashes[name] = parse_hash(text)
            except PasswordFormatError as error:
                self.problems.append(f"agent {name!r}: {error}; set it again with `feedback-tui agents add {name}`")
        # An unknown agent is checked against this, so it costs what a known one costs.
        self._dummy = parse_hash(hash_password(secrets.token_urlsafe(16)))

    @property
    def names(self) -> list[str]:
        return sorted(self._hashes)

    def check(self, agent: str, password: str) -> bool:
        """True only for a known agent with their password; the same work either way."""
        stored = self._hashes.get(agent)
        if len(password.encode("utf-8", "surrogatepass")) > MAX_PASSWORD_BYTES:
            stored = None  # longer than any password can be set: refused, after the same work
        matched = verify(password, stored if stored is not None else self._dummy)
        return matched and stored is not None


@dataclass(slots=True)
class Session:
    """One logged-in browser: who, and when it last did something."""

    agent: str
    created: float
    last_seen: float
    closers: list[Callable[[], object]] = field(default_factory=list)  # end its app when the session ends


class Sessions:
    """Random tokens to agents, in memory, with an idle timeout."""

    def __init__(self, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._by_token: dict[str, Session] = {}

    def start(self, agent: str) -> str:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        self._by_token[token] = Session(agent, now, now)
        return token

    def get(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The live session of ``token``, or None (unknown, forged, ended or idle too long)."""
        if not token or len(token) > 200:
            return None
        session = self._by_token.get(token)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_seconds:
            self.end(token)
            return None
        if touch:
            session.last_seen = now
        return session

    def end(self, token: str) -> Session | None:
        """Forget the session and run its closers (its app is told to quit)."""
        session = self._by_token.pop(token, None)
        if session is not None:
            for close in session.closers:
                close()
            session.closers.clear()
        return session

    def expire(self) -> list[str]:
        """End every session idle for too long; return their agents (for the log)."""
        now = self.clock()
        stale = [t for t, s in self._by_token.items() if now - s.last_seen > self.idle_seconds]
        return [ended.agent for token in stale if (ended := self.end(token)) is not None]

    def __len__(self) -> int:
        return len(self._by_token)


class FailedLogins:
    """Refuse a browser that keeps guessing, before its next guess costs a hash.

    Counted over a sliding window: failures from one address for one agent name
    (``per_pair``: a forgetful agent has a few tries) and from one address for
    any name (``per_client``: one machine walking through names). No lock per
    agent name alone, so nobody can lock a colleague out from another machine;
    the scrypt cost and the server's two checks at a time bound the rest.
    """

    def __init__(self, *, window_seconds: float = 900.0, per_pair: int = 5, per_client: int = 20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_seconds, self.per_pair, self.per_client, self.clock = window_seconds, per_pair, per_client, clock
        self._failures: dict[tuple[str, str | None], list[float]] = {}

    def _recent(self, key: tuple[str, str | None]) -> list[float]:
        cutoff = self.clock() - self.window_seconds
        times = [t for t in self._failures.get(key, ()) if t > cutoff]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def wait_seconds(self, client: str, agent: str) -> float:
        """0 when this client may try this agent now, else how long until it may."""
        waits = [times[-limit] + self.window_seconds - self.clock()
                 for key, limit in (((client, agent), self.per_pair), ((client, None), self.per_client))
                 if len(times := self._recent(key)) >= limit]
        return max(waits, default=0.0)

    def failed(self, client: str, agent: str) -> None:
        now = self.clock()
        for key in ((client, agent), (client, None)):
            self._failures.setdefault(key, []).append(now)

    def succeeded(self, client: str, agent: str) -> None:
        self._failures.pop((client, agent), None)
