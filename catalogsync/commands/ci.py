"""`catalogsync ci …`: the steps the catalog workflows run (see `catalogsync.ci`)."""

from __future__ import annotations

import click

from catalogsync.ci import steps
from catalogsync.commands.options import Options, env_option, pass_options


@click.group("ci")
def ci() -> None:
    """The GitHub steps of the catalog workflows: plan comment, reviewed apply, drift issue.

    Run inside GitHub Actions with `gh` on PATH and GH_TOKEN set to the job's
    token. Only comments written by the workflow's own identity
    (github-actions[bot], or CATALOGSYNC_CI_AUTHOR) are trusted.
    """


@ci.command("plan-comment")
@click.option(
    "--envs",
    default="test live",
    show_default=True,
    help="Space-separated environments to plan.",
)
@pass_options
def plan_comment(options: Options, *, envs: str) -> None:
    """Plan each environment and create or update the pull request's one plan comment.

    Reads the pull request from the event (GITHUB_EVENT_PATH) and refuses one
    whose head lives in a fork. The comment's hidden marker records the head
    commit and each environment's plan digest, for `ci apply`.
    """
    click.get_current_context().exit(steps.plan_comment(options.catalog_dir, envs.split()))


@ci.command("apply")
@env_option(required=True)
@pass_options
def apply(options: Options, *, env_name: str) -> None:
    """Apply to ENV exactly the plan digest the merged pull request's plan comment showed.

    COMMIT_SHA is the pushed commit; it must be the merge of a pull request
    whose plan comment (written by this workflow's identity) was made for the
    merged head.
    """
    click.get_current_context().exit(steps.apply_reviewed(options.catalog_dir, env_name))


@ci.command("drift-issue")
@env_option(required=True)
@click.option("--label", default="catalog-drift", show_default=True, help="The issue's label.")
@click.option("--unmanaged", is_flag=True, help="Also report objects catalogsync does not own.")
@pass_options
def drift_issue(options: Options, *, env_name: str, label: str, unmanaged: bool) -> None:
    """Run drift on ENV; open or update the one labelled issue on drift, close it when gone.

    Exit 2 while there is drift, so the scheduled job shows red.
    """
    code = steps.drift_issue(options.catalog_dir, env_name, label=label, unmanaged=unmanaged)
    click.get_current_context().exit(code)
