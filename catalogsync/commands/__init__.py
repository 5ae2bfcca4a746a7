"""One module per command, each defining a click command (pre-commit style)."""
