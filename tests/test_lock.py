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


CRAWL_UNDER_LOCK = """
import functools, sys
import crawlers.run
from crawlers.snapshot import Fault, SnapshotServer
from papers.pipeline.lock import RunLock
from papers.settings import Settings

# Slow pages keep the crawl worker busy long after the parent is killed.
crawlers.run.SnapshotServer = functools.partial(
    SnapshotServer, faults=[Fault(kind="slow", match="aspx", seconds=0.3)])
settings = Settings(data_dir=__import__("pathlib").Path(sys.argv[1]))
with RunLock(settings.data_dir, "crawl"):
    crawlers.run.crawl(settings, councils=["HAL"], snapshot=True)
"""


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    """The crawl workers this process started (by their command line: not any helper it runs)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z" and "crawlers.run" in _cmdline(int(entry)):
                found.append(int(entry))
    return found


PF_EXITING = 0x4  # linux/sched.h: set when a process starts to exit (it runs no more of its code)


def _alive(pid: int) -> bool:
    """Still running its own code: not gone, not a zombie, not inside exit (where it drops its
    files, the lock among them, a moment before it becomes a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and not int(fields[6]) & PF_EXITING


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal and /proc are Linux's")
def test_the_crawl_worker_dies_with_a_killed_parent_before_the_lock_is_free(tmp_path):
    """Issue 17 item 10: after `kill -9` of the crawl, a re-run that gets the lock finds no worker."""
    parent = subprocess.Popen([sys.executable, "-c", CRAWL_UNDER_LOCK, str(tmp_path)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (workers := _children(parent.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers, "the crawl worker never started"
        time.sleep(1.5)  # well into the crawl
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while True:
            try:
                lock = RunLock(tmp_path, "update").acquire()
                break
            except Locked:
                assert time.monotonic() < deadline, "the lock was never freed"
                time.sleep(0.002)
        try:
            alive = {w: _cmdline(w) for w in workers if _alive(w)}
            assert not alive, f"the worker outlived the lock: {alive}"
        finally:
            lock.release()
    finally:
        if parent.poll() is None:
            parent.kill()
