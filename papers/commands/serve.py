"""`papers serve` subcommands (placeholder until its issue lands)."""

COMMANDS: list = []
