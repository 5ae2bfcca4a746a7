"""`python -m catalogsync`: the same entry point as the console script."""

from catalogsync.cli import main

main()
