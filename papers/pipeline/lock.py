"""One run at a time per data directory.

Why flock and not a pid file: the kernel releases an flock when the holding process dies, however
it dies (SIGKILL, OOM killer, power cut), so a killed run never leaves the data directory stuck
and nobody has to guess whether a recorded pid is still alive.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from index.store import now_iso
from papers.errors import EXIT_LOCKED, UserError

LOCK_NAME = "update.lock"
HOLDER_BYTES = 256
# Descriptors of the locks this process holds. A child that must not outlive the run (the crawl
# worker) inherits them: the flock is then free only once the parent *and* the child are gone.
_held: set[int] = set()


def held_lock_fds() -> tuple[int, ...]:
    """The descriptors of the run locks this process holds, for a child to inherit."""
    return tuple(sorted(_held))


class Locked(UserError):
    """Another run holds the data directory (exit code 3)."""

    exit_code = EXIT_LOCKED


class RunLock:
    """An exclusive, non-blocking lock on ``data_dir/update.lock`` held for one run."""

    def __init__(self, data_dir: Path, purpose: str = "update"):
        self.path = Path(data_dir) / LOCK_NAME
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock or raise Locked naming the run that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise Locked(
                f"another run holds {self.path.parent} ({holder}); "
                "wait for it to finish or let it be killed, then start again"
            ) from None
        # Who holds it is only for the message above; the lock itself is the flock. Written in place
        # at a fixed size (never truncated) so a concurrent reader never finds the file empty.
        holder = {"pid": os.getpid(), "purpose": self.purpose, "since": now_iso()}
        os.pwrite(fd, json.dumps(holder).encode().ljust(HOLDER_BYTES), 0)
        self._fd = fd
        _held.add(fd)
        return self

    def release(self) -> None:
        if self._fd is not None:
            _held.discard(self._fd)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def is_held_elsewhere(self) -> bool:
        """True while another process holds the lock (used to tell running from killed runs)."""
        if self._fd is not None or not self.path.exists():
            return False
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


def _read_holder(fd: int) -> str:
    """The holder's description; a holder that has just taken the lock gets a moment to write it."""
    for _ in range(20):
        try:
            info = json.loads(os.pread(fd, HOLDER_BYTES, 0) or b"null")
        except ValueError:
            info = None
        if info:
            return f"{info.get('purpose', 'run')} pid {info.get('pid')} since {info.get('since')}"
        time.sleep(0.025)
    return "holder unknown"
