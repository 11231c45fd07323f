"""committee-papers: UK council committee papers as searchable, structured evidence."""

__version__ = "0.1.0"
