"""`catalogsync ci`: the GitHub steps of the three catalog workflows.

The workflows call `catalogsync ci …` and nothing else, so a test can run
the same commands, in the same order, with the same variables. GitHub is
reached through `gh api` with the job's token (``GH_TOKEN``); Stripe keys
reach `catalogsync` only through the variables catalogsync.yaml names, and
never appear in output.
"""
