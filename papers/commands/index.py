"""`papers index` subcommands (placeholder until its issue lands)."""

COMMANDS: list = []
