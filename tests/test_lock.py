"""One run per data directory: a second start fails fast with exit code 3; a killed holder frees it."""

import os
import signal
import subprocess
import sys
import time

import pytest

from papers.errors import EXIT_LOCKED
from papers.pipeline.lock import Locked, RunLock

HOLD = """
import sys, time
from papers.pipeline.lock import RunLock
RunLock(sys.argv[1], "update").acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_second_lock_names_the_holder_and_exits_3(tmp_path):
    with RunLock(tmp_path, "update"):
        with pytest.raises(Locked) as err:
            RunLock(tmp_path, "update").acquire()
    assert err.value.exit_code == EXIT_LOCKED
    assert f"pid {os.getpid()}" in str(err.value) and "another run holds" in str(err.value)
    RunLock(tmp_path).acquire().release()  # released on exit


def test_lock_held_by_a_killed_process_is_free_at_once(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = RunLock(tmp_path)
        assert lock.is_held_elsewhere()
        with pytest.raises(Locked):
            lock.acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 5
    while RunLock(tmp_path).is_held_elsewhere() and time.monotonic() < deadline:
        time.sleep(0.05)
    RunLock(tmp_path).acquire().release()  # no stale-lock cleanup needed: the kernel dropped the flock
