"""`papers extract` (placeholder until the extraction issue lands)."""

COMMANDS: list = []
