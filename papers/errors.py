"""Errors a user can cause, and the exit codes the CLI documents."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1  # the run finished but something failed (a council, a batch); it is retried next run
EXIT_USAGE = 2  # bad arguments, bad query, missing input
EXIT_LOCKED = 3  # another run holds the data directory


class UserError(Exception):
    """A problem the user can fix; the CLI prints its message on one line, never a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def cannot_write(path: object, exc: OSError) -> UserError:
    """The one wording for an output the system refused (missing folder, no permission, disk full)."""
    return UserError(f"cannot write {path}: {exc.strerror or exc}")
