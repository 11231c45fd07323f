"""`papers update` subcommands (placeholder until its issue lands)."""

COMMANDS: list = []
