"""`papers crawl` subcommands (placeholder until its issue lands)."""

COMMANDS: list = []
