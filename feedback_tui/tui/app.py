"""The Textual application: wiring only (screens live in ``screens/``).

The app owns the database's :class:`~feedback_tui.store.StoreOpener` (every
worker asks :meth:`FeedbackApp.open_store` for its own connection) and the
:class:`~feedback_tui.outbox.Outbox` of replies, and routes the messages of
:mod:`feedback_tui.tui.messages` between screens.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from feedback_tui.config import Config
from feedback_tui.tui.held_reply import ReplyHolder
from feedback_tui.outbox import Outbox
from feedback_tui.tui.key_hold import KeyKeeper
from feedback_tui.tui.keymap import binding_groups, check_keymap
from feedback_tui.store import Store, StoreOpener
from feedback_tui.tui import messages
from feedback_tui.tui import terminal_watch
from feedback_tui.tui.allocator import limit_malloc_arenas
from feedback_tui.text import clean
from feedback_tui.tui.commands import binding_commands
from feedback_tui.tui.screens.help import HelpScreen
from feedback_tui.tui.screens.inbox import InboxScreen

POLL_SECONDS = 1.0
# Textual's "Screenshot" has no key here and writes an SVG of the screen, customers' names and
# texts included, into the Downloads folder of whoever runs the app (the server's, under `serve`)
# without asking: nothing an agent needs, so the palette leaves it out.
HIDDEN_SYSTEM_COMMANDS = frozenset({"Screenshot"})
READ_ONLY_TEXT = ("READ-ONLY: this database cannot be written here (file permissions or "
                  "$FEEDBACK_TUI_READ_ONLY); you can read and search, not triage or reply")


class ReadOnlyBanner(Static):
    """A bar under the header while the database is open read-only."""

    DEFAULT_CSS = """
    ReadOnlyBanner { height: 1; background: $warning; color: $text; text-style: bold; padding: 0 1; }
    """


class FeedbackApp(App[None]):
    """feedback-tui: triage and answer customer feedback."""

    TITLE = "feedback-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help", key_display="?"),
        Binding("d", "dashboard", "Dashboard", id="app.dashboard"),
        Binding("R", "retention", "Retention", id="app.retention", show=False),
        Binding("T", "templates", "Reply templates", id="app.templates", show=False),
        Binding("S", "sync", "Sync sources", id="app.sync", show=False),
    ]

    def __init__(self, db_path: Path, agent: str, config: Config | None = None, *, watch: bool = True,
                 today: date | None = None) -> None:
        limit_malloc_arenas()  # before the first worker thread (tui/allocator.py)
        super().__init__()
        self.today = today  # a fixed clock for tests and snapshots; None means the real date
        self.db_path = Path(db_path)
        self.agent = agent
        self.config = config or Config()
        self.watch_database = watch
        self._froze = False  # keep_what_exists ran: on_unmount undoes it
        self.store_opener = StoreOpener.for_path(self.db_path)
        self.outbox = Outbox(self.store_opener, self.config.sources, self.config.limits)
        self.reply_holder = ReplyHolder(self)  # the send grace period (tui/held_reply.py)
        self.key_keeper = KeyKeeper(self, super().on_event)  # keys typed while a screen opens (tui/key_hold.py)
        self.sub_title = f"{'READ-ONLY · ' if self.read_only else ''}agent: {self.agent} · {self.db_path.name}"

    @property
    def read_only(self) -> bool:
        """Whether every connection is read-only: triage keys say so instead of failing."""
        return self.store_opener.readonly

    def open_store(self, *, cache_kib: int | None = None) -> Store:
        """A connection for the calling thread (workers call this; close it when done).

        ``cache_kib``: its page cache; a one-shot aggregation passes ``store.SMALL_CACHE_KIB``."""
        return self.store_opener.open(cache_kib=cache_kib)

    def broadcast(self, message_type: type[Message], *args: object) -> None:
        """Post a fresh notice to every screen of ours on the stack (see :mod:`~feedback_tui.tui.messages`).

        Not to Textual's default screen under the inbox (a plain ``Screen``): it handles
        none, and any message made it repaint and mark the whole inbox for a repaint, a
        second frame for each ``j`` (issue 19)."""
        for screen in self.screen_stack:
            if type(screen) is not Screen:
                screen.post_message(message_type(*args))

    async def on_event(self, event: events.Event) -> None:
        if not self.key_keeper.keep(event):  # a screen being opened waits for them (tui/key_hold.py)
            await super().on_event(event)

    # -- requests from screens -------------------------------------------------------
    def on_reply_requested(self, message: messages.ReplyRequested) -> None:
        from feedback_tui.tui.screens.composer import ComposerScreen

        message.stop()
        self.push_screen(ComposerScreen(message.review_id, keys=message.keys))

    def on_step_requested(self, message: messages.StepRequested) -> None:
        message.stop()
        self.broadcast(messages.StepCursor, message.delta)

    def on_row_highlighted(self, message: messages.RowHighlighted) -> None:
        message.stop()
        self.broadcast(messages.CurrentRow, message.row)

    def on_show_in_inbox(self, message: messages.ShowInInbox) -> None:
        message.stop()
        while not isinstance(self.screen, InboxScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        self.broadcast(messages.OpenQuery, message.query)

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast of the app (screens' ``self.notify`` lands here): its text is
        never markup (a tag ``[/]`` would crash it, an HTTP reason ``[@click=app.quit]``
        would become a button) and its controls are visible placeholders."""
        super().notify(clean(str(message)), title=clean(str(title), single_line=True), severity=severity,
                       timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header: the sub-title holds the agent's name and the database's file name."""
        return super().format_title(clean(title, single_line=True), clean(sub_title, single_line=True))

    def on_mount(self) -> None:
        if self.config.keys:  # checked first: Textual would drop a clashing binding without a word
            keymap, problems = check_keymap(self.config.keys, binding_groups(),
                                            [b for b in self.BINDINGS if isinstance(b, Binding)])
            if keymap:
                self.set_keymap(keymap)
            if problems:
                self.notify("\n".join(problems), title="Key remapping", severity="warning", timeout=20)
        for warning in self.config.warnings:
            self.notify(warning, severity="warning")
        inbox = InboxScreen()
        self.push_screen(inbox)
        if self.read_only:
            self.call_after_refresh(self._show_read_only_banner, inbox)
        if self.watch_database:
            self._watch_changes()
        self._terminal = terminal_watch.terminal_fd() if not self.is_headless else None
        if self._terminal is not None:
            self.set_interval(terminal_watch.CHECK_SECONDS, self._check_terminal)
            self._leave_on_hangup()

    def _leave_on_hangup(self) -> None:
        """SIGHUP (the terminal window closed, ``tmux kill-server``) ends the app as ``q`` does,
        so the screens' last saves run: the composer writes the keystrokes its half-second
        debounce had not saved yet. Python's default ended the process on the spot and lost
        them. A SIGHUP someone chose to ignore (``nohup``) stays ignored."""
        if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: self.exit(return_code=1))
        except (NotImplementedError, RuntimeError, ValueError):  # no Unix signals, or not the main thread
            pass

    def exit(self, result: None = None, return_code: int = 0, message: Any = None) -> None:
        """Leave, and stop a SIGCONT from bringing the terminal back while the app shuts down.

        Textual's Linux driver answers SIGCONT by starting application mode again (that is
        how it comes back after ctrl+z). A terminal that closes just after ``q`` sends
        SIGHUP *and* SIGCONT (``tmux kill-server`` 0.2 s after ``q``): the SIGCONT came after
        the driver had stopped, started a new input thread, and that thread, not a daemon,
        kept the finished process alive forever, spinning a core on the dead terminal
        (found after a test run: an app still running a minute after its test). From here
        on SIGCONT just lets the process go on; nothing will need drawing again.
        """
        try:
            signal.signal(signal.SIGCONT, signal.SIG_DFL)
        except ValueError:  # not the main thread (a worker asked to leave): the driver's handler stays
            pass
        super().exit(result, return_code, message)

    def _check_terminal(self) -> None:
        """The terminal hung up without a SIGHUP reaching us (tui/terminal_watch.py): leave."""
        if self._terminal is not None and terminal_watch.gone(self._terminal):
            self.exit(return_code=1)

    def on_inbox_settled(self, message: messages.InboxSettled) -> None:
        self.keep_what_exists()

    def keep_what_exists(self) -> None:
        """Leave every object alive now out of the garbage collector's full passes.

        Why: at a million reviews a full (generation 2) collection walked every object
        the app holds (its modules, Textual's and Rich's tables, the screens), 50-75 ms
        each, and one came every ~16 ``j`` presses: those were the inbox's slowest keys
        (issue 19). ``gc.freeze`` moves them to the permanent generation at no cost;
        what the screens allocate afterwards is collected as before. Called once the
        inbox has its first list and count, when the long-lived objects exist; undone
        when the app ends (:meth:`on_unmount`), so that a process that runs the app and
        goes on (the tests, ``serve``) can collect what it froze.
        """
        gc.freeze()
        self._froze = True

    def on_unmount(self) -> None:
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def _show_read_only_banner(self, screen: Screen) -> None:
        headers = screen.query(Header)
        banner = ReadOnlyBanner(READ_ONLY_TEXT, id="read-only-banner")
        if headers:
            screen.mount(banner, after=headers.first())
        else:
            screen.mount(banner)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from binding_commands(self, screen)
        yield from (command for command in super().get_system_commands(screen)
                    if command.title not in HIDDEN_SYSTEM_COMMANDS)

    def action_dashboard(self) -> None:
        from feedback_tui.tui.screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

    def action_retention(self) -> None:
        from feedback_tui.tui.screens.retention import RetentionScreen

        if not isinstance(self.screen, RetentionScreen):
            self.push_screen(RetentionScreen())

    def action_templates(self) -> None:
        from feedback_tui.tui.screens.templates import TemplatesScreen

        if not isinstance(self.screen, TemplatesScreen):
            self.push_screen(TemplatesScreen())

    def action_sync(self) -> None:
        """Fetch every configured HTTP source (``[sources.NAME]`` in the config)."""
        if any(w.group == "sync" and not w.is_finished for w in self.workers):
            self.notify("A sync is already running.")
            return
        self.notify("Syncing sources…", timeout=2)
        self._sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync", description="Syncing sources")
    def _sync(self) -> None:
        from feedback_tui.errors import FeedbackError
        from feedback_tui.sources import sync_all

        worker = get_current_worker()
        try:
            results = sync_all(self.store_opener, progress=lambda done, total, text: self.call_from_thread(
                self.broadcast, messages.SyncProgress, done, total, text), should_stop=lambda: worker.is_cancelled,
                languages=self.config.languages, learned=self.config.sentiment.learned)
            trained = self._train_after_sync(results, worker)
        except FeedbackError as error:
            self.call_from_thread(self._sync_done, [], str(error))
            return
        except BaseException as error:
            # A bug, not a user mistake: the worker fails loudly, but the progress bar
            # still ends and the toast says the sync stopped.
            self.call_from_thread(self._sync_done, [], f"the sync stopped: {type(error).__name__}: {error}")
            raise
        self.call_from_thread(self._sync_done, results, None, trained)

    def _train_after_sync(self, results: list, worker: Any) -> str:
        """In the sync's worker: retrain the sentiment model if the sync brought enough new labelled texts."""
        from feedback_tui.store import training

        settings = self.config.sentiment
        if not settings.learned or not any(r.imported and (r.imported.inserted + r.imported.updated) for r in results):
            return ""
        self.call_from_thread(self.broadcast, messages.SyncProgress, 0, None, "Training the sentiment model")
        with self.open_store() as store:
            outcome = training.after_import(store, min_per_class=settings.min_per_class,
                                            retrain_after=settings.retrain_after, languages=self.config.languages,
                                            should_stop=lambda: worker.is_cancelled)
        return training.summary(outcome)

    def _sync_done(self, results: list, error: str | None, trained: str = "") -> None:
        self.broadcast(messages.SyncProgress, None, None, "")
        if error:
            self.notify(error, title="Sync", severity="error")
        elif not results:
            self.notify("No source is configured: add [sources.NAME] tables to the config (see README).",
                        title="Sync", severity="warning")
        else:
            failed = [r for r in results if r.error]
            lines = "\n".join(r.summary() if not r.error else f"{r.name}: {r.error}" for r in results)
            if trained:
                lines += f"\nSentiment model trained: {trained}"
            self.notify(lines, title="Sync", severity="error" if failed else "information", timeout=8)
        self.database_changed()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch", description="Watching the database")
    def _watch_changes(self) -> None:
        """Poll SQLite's data_version: it changes when another connection commits."""
        worker = get_current_worker()
        with self.open_store() as store:
            last = store.data_version()
            while not worker.is_cancelled:
                time.sleep(POLL_SECONDS)
                version = store.data_version()
                if version != last:
                    last = version
                    self.call_from_thread(self.database_changed)

    def database_changed(self) -> None:
        """Tell every screen that the data changed under it."""
        self.broadcast(messages.DatabaseChanged)
