"""Orchestration: connect, read the account, plan, detect drift (above gateway and plan)."""
