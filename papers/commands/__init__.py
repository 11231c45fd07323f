"""One module per group of `papers` subcommands; each exposes COMMANDS for papers.cli."""
