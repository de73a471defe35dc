"""SQLite's WAL copied into the database file on a thread of its own, a moment after writes.

By default the connection that commits the WAL's thousandth page copies the WAL into the
database file there and then, and waits for the disk to sync it. Our statements run on the event
loop's thread (`sqlite_inline`), so that commit held every visitor and rep reply of the process:
about 20 ms, once a second, under 50 rep replies a second (`python -m bench repreply` on
SQLite: p99 19–23 ms, every slow reply on a one-second beat).

The loop's connections turn that off (`wal_autocheckpoint=0`) and tell `Checkpoints` when they
commit. A thread with a connection of its own then runs a PASSIVE checkpoint, which neither
waits for nor blocks writers and readers, at most every `every_s`; it ends after `idle_s`
without writes and starts again at the next. SQLite's own crash recovery is unchanged: what a
checkpoint has not copied yet is still in the WAL.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

log = logging.getLogger(__name__)


class Checkpoints:
    def __init__(self, path: str, *, every_s: float = 1.0, idle_s: float = 10.0) -> None:
        self.path = path
        self.every_s = every_s
        self.idle_s = idle_s
        self._due = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wrote(self) -> None:
        """A commit on the loop's connection: a checkpoint is due within `every_s`."""
        if not self._due.is_set():
            self._due.set()
        if self._thread is None:  # set after `_due`, so a thread ending now sees the write
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="sqlite-checkpoints", daemon=True
                    )
                    self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=self.every_s)
            try:
                while self._next_due():
                    self._checkpoint(connection)
            finally:
                connection.close()
        except sqlite3.Error as error:  # the file is gone or unreadable: the next write tries again
            log.warning("SQLite checkpoints of %s stopped: %s", self.path, error)
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _next_due(self) -> bool:
        """Wait for writes, then gather a moment's worth; False after `idle_s` without any."""
        if not self._due.wait(self.idle_s):
            with self._lock:
                if not self._due.is_set():  # a write now starts a new thread
                    self._thread = None
                    return False
        self._due.clear()
        # A write from here on sets `_due` again: it is in this checkpoint or the next.
        time.sleep(self.every_s)
        return True

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the next write asks again
            log.warning("SQLite checkpoint of %s failed: %s", self.path, error)
