"""`catalogsync apply`: execute a plan, exactly the one reviewed, and converge.

Without ``--plan`` it plans, shows the plan and asks (unless ``--yes``).
With ``--plan`` it re-reads Stripe and refuses, writing nothing, when the
account changed since the plan was made (the fingerprint differs);
``--expect-digest`` refuses, writing nothing, unless the plan to apply has
that digest. A protected environment (live) must be named with ``--env``
and confirmed (a live key in an unprotected environment is refused by
`connect`, before any request, as for every command). Exit 0 applied or
nothing to do, 1 refused or failed, 130 interrupted (with what was applied).
``--format json`` prints the result as JSON on stdout (the plan and the
progress lines go to stderr), for CI jobs that record what was applied.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from catalogsync.apply.executor import DryRunExecutor, apply_failed, run_plan
from catalogsync.apply.progress import LineProgress, RichProgress
from catalogsync.apply.replays import Applied, key_scope
from catalogsync.apply.staleness import check_destroy, check_digest, check_fresh
from catalogsync.catalog import LoadedCatalog, load_catalog
from catalogsync.commands.options import Options, env_option, pass_options
from catalogsync.commands.output import show_warnings, use_color
from catalogsync.config import Environment, load_config
from catalogsync.errors import PlanRefused
from catalogsync.gateway.write import Stats, Write
from catalogsync.pipeline.apply import apply_environment, hold_account
from catalogsync.pipeline.plan import plan_environment
from catalogsync.plan.plan import Plan, load_plan, operation_id
from catalogsync.redact import redact
from catalogsync.render import render


@click.command("apply")
@env_option()
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Apply this saved plan (refused if Stripe changed since it was made).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--expect-digest", help="Refuse unless the plan to apply has this digest.")
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second (default: the environment's, else 20 test / 80 live).",
)
@click.option("--dry-run", is_flag=True, help="Show the requests apply would send; send none.")
@click.option(
    "--allow-destroy",
    is_flag=True,
    help="Apply a plan whose operations are marked destructive (mass archive, …).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the result as JSON on stdout; the plan and progress go to stderr.",
)
@pass_options
def apply_command(
    options: Options,
    *,
    env_name: str | None,
    plan_file: Path | None,
    yes: bool,
    expect_digest: str | None,
    rate_limit: float | None,
    dry_run: bool,
    allow_destroy: bool,
    fmt: str,
) -> None:
    """Apply the catalog (or a saved plan) to Stripe."""
    env = load_config(options.catalog_dir).environment(env_name)
    _check_environment(env, env_name)
    loaded = load_catalog(options.catalog_dir)
    if not dry_run:  # held until the command ends: one apply per account (apply/lock.py)
        click.get_current_context().with_resource(hold_account(env))
    show_warnings(loaded.warnings)
    fresh = plan_environment(env, loaded, impact=plan_file is None)
    plan = fresh
    if plan_file is not None:
        plan = load_plan(plan_file)
        check_fresh(plan, fresh)
    if expect_digest is not None:
        check_digest(plan, expect_digest)
    as_json = fmt == "json"
    say = functools.partial(click.echo, err=as_json)  # words for people
    if not plan.has_changes:
        say(f"No changes: Stripe matches the catalog. Plan digest: {plan.digest}")
        if as_json:
            click.echo(_result_json(plan, "no_changes"))
        return
    say(render(plan, "text", color=use_color() and not as_json), nl=False)
    if dry_run:
        writes = _dry_run(plan)
        if as_json:
            click.echo(_result_json(plan, "dry_run", writes=writes))
        else:
            _show_writes(writes)
        return
    check_destroy(plan, allow_destroy)
    _confirm(env, yes)
    applied, stats = _execute(env, plan, loaded, rate_limit, say, bar=not as_json)
    failed = applied.failed
    if as_json:
        status = "failed" if failed else "applied"
        click.echo(_result_json(plan, status, applied=applied, stats=stats))
    else:
        click.echo(summary(applied, stats), err=failed is not None)
    if failed is not None:
        raise apply_failed(failed)


def _check_environment(env: Environment, env_name: str | None) -> None:
    if env.protected and env_name != env.name:
        raise PlanRefused(
            f"environment {env.name!r} is protected: name it with `--env {env.name}` to apply"
        )


def _confirm(env: Environment, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise PlanRefused("not applied: pass --yes to apply without a prompt")
    if env.protected:
        answer = click.prompt(f"Apply to protected environment {env.name!r}? Type 'yes'")
        if answer.strip() != "yes":
            raise PlanRefused("not applied")
    elif not click.confirm("Apply these changes?", default=False):
        raise PlanRefused("not applied")


def _execute(
    env: Environment,
    plan: Plan,
    loaded: LoadedCatalog,
    rate_limit: float | None,
    say: Callable[[str], None],
    *,
    bar: bool,
) -> tuple[Applied, Stats]:
    """Run the plan with a progress display; what was done, including any failure."""
    progress = RichProgress() if bar and sys.stdout.isatty() else LineProgress(say)
    try:
        return apply_environment(env, plan, loaded, rate_limit=rate_limit, progress=progress)
    finally:
        progress.close()


def _dry_run(plan: Plan) -> list[Write]:
    """The writes apply would send, computed without sending any."""
    report = run_plan(plan, DryRunExecutor(key_scope(plan)))
    if report.failures:
        raise apply_failed(report)
    return [write for outcome in report.done for write in outcome.writes]


def _show_writes(writes: Sequence[Write]) -> None:
    click.echo("Dry run: these requests would be sent (none was):")
    for write in writes:
        params = json.dumps(write.params, sort_keys=True, default=str)
        click.echo(redact(f"  {write.method} {write.path} [{write.idempotency_key}] {params}"))


def _result_json(
    plan: Plan,
    status: str,
    *,
    applied: Applied | None = None,
    stats: Stats | None = None,
    writes: Sequence[Write] = (),
) -> str:
    """What apply did, as data: status, counts, requests, retries, replays, failures."""
    data: dict[str, Any] = {
        "status": status,
        "plan_digest": plan.digest,
        "account": plan.account_id,
        "livemode": plan.livemode,
        "operations": len(plan.operations),
    }
    if applied is not None and stats is not None:
        report = applied.report
        data |= {
            "applied": len(report.done),
            "counts": dict(report.counts()),
            "requests": stats.requests,
            "retries": stats.retries,
            "done_by_another_run": applied.elsewhere,
            "applied_again": len(applied.redone.done) if applied.redone else 0,
            "elapsed_seconds": round(report.elapsed, 3),
            "failures": [
                {
                    "operation": operation_id(op),
                    "kind": op.target.kind,
                    "key": op.target.key,
                    "error": message,
                }
                for op, message in (applied.failed or report).failures
            ],
        }
    if writes:
        data["writes"] = [
            {
                "method": w.method,
                "path": w.path,
                "idempotency_key": w.idempotency_key,
                "params": w.params,
            }
            for w in writes
        ]
    return redact(json.dumps(data, indent=2, sort_keys=True, default=str))


def summary(applied: Applied, stats: Stats) -> str:
    """`Applied 12 of 12 operations in 1.4 s: 3 created, …; 20 requests, 1 retry.`

    Then what Stripe replayed: operations another apply of the same plan had
    done, and replayed operations that no longer held and were applied again.
    """
    report = applied.report
    requests, retries = stats.requests, stats.retries
    counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
    done = len(report.done)
    lines = [
        f"Applied {done} of {report.total} operations in {report.elapsed:.1f} s: {counts}; "
        f"{requests} requests, {retries} {'retry' if retries == 1 else 'retries'}."
    ]
    if applied.elsewhere:
        lines.append(
            f"{applied.elsewhere} of them had already been done by another apply of this "
            "plan running at the same time: Stripe answered with that run's results "
            "(Idempotent-Replayed), so nothing was done twice."
        )
    if applied.redone is not None:
        n, one = applied.redone.total, applied.redone.total == 1
        lines.append(
            f"{n} {'operation was' if one else 'operations were'} answered with the result of "
            "an earlier apply of the same changes (Stripe replays a key's result for 24 hours) "
            f"although Stripe no longer matched {'it' if one else 'them'}; applied again: "
            f"{len(applied.redone.done)} of {n}."
        )
    return "\n".join(lines)
