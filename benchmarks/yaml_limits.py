"""Peak memory and time of `catalogsync validate` on hostile and oversized YAML.

    python -m benchmarks.yaml_limits [--out benchmarks/results/yaml_limits.json]

Each input is validated by `python -m catalogsync --catalog DIR validate` in a fresh
process started from a minimal launcher (see `_LAUNCHER`). Peak memory is the kernel's
maximum resident set size of that process (`os.wait4`), CPU time its user + system time,
wall time the clock around it (interpreter start-up included). Inputs:

- alias_bomb: 14 lines of nested aliases, 9**10 strings if expanded (refused at the node cap);
- anchored_scalar: a 1 MB string anchored once and aliased 400 times (refused by its size
  at the alias cap: an aliased string costs a node per 16 characters);
- file_50mb: one 50 MB catalog file (refused by the 10 MiB file cap before it is read);
- files_50mb: 48 MB in five files under the file cap (the 40 MiB catalog cap stops the fifth);
- nodes_over_cap: one 5 MB file of MAX_NODES list items (counted, refused, never composed);
- nodes_at_cap: the same file five items shorter, exactly at the node cap (read in full),
  the most memory a catalog under the caps can take per byte;
- benchmark_catalog: the 10,000-price catalog of `benchmarks.generate`, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import Sizes, generate
from catalogsync.catalog.sourcemap import MAX_NODES

RESULTS = Path(__file__).parent / "results"
MB = 1024 * 1024


def _bomb_line(level: int) -> str:
    item = f"*l{level - 1}" if level else '"lol"'
    return f"  l{level}: &l{level} [{', '.join([item] * 9)}]\n"


def alias_bomb(directory: Path) -> None:
    text = "kind: Product\nkey: bomb\nname: Bomb\nmetadata:\n"
    (directory / "bomb.yaml").write_text(text + "".join(_bomb_line(n) for n in range(10)))


def anchored_scalar(directory: Path) -> None:
    text = "kind: Product\nkey: anchored\nname: Anchored\nmetadata:\n"
    text += f"  a: &big {'x' * MB}\n" + "".join(f"  b{n}: *big\n" for n in range(400))
    (directory / "anchored.yaml").write_text(text)


def _features(count: int, prefix: str = "f") -> str:
    """``count`` valid features of about 1 KB each (two metadata values of 450 characters)."""
    note = "n" * 450
    return "".join(
        f"---\nkind: Feature\nlookup_key: {prefix}{n}\nname: F\n"
        f"metadata: {{a: {note}, b: {note}}}\n"
        for n in range(count)
    )


def file_50mb(directory: Path) -> None:
    (directory / "features.yaml").write_text(_features(53 * 1024))  # 51 MB


def files_50mb(directory: Path) -> None:
    for n in range(5):  # five files of 9.7 MB
        (directory / f"features{n}.yaml").write_text(_features(10 * 1024, f"f{n}_"))


def _flat(items: int) -> str:
    # A mapping, two keys, two values, the list: 5 nodes besides the items.
    return "kind: Feature\nlookup_key: [" + "1," * (items - 1) + "1]\n"


def nodes_over_cap(directory: Path) -> None:
    (directory / "flat.yaml").write_text(_flat(MAX_NODES))


def nodes_at_cap(directory: Path) -> None:
    (directory / "flat.yaml").write_text(_flat(MAX_NODES - 5))


def benchmark_catalog(directory: Path) -> None:
    generate(directory, Sizes())


INPUTS: dict[str, Callable[[Path], None]] = {
    "alias_bomb": alias_bomb,
    "anchored_scalar": anchored_scalar,
    "file_50mb": file_50mb,
    "files_50mb": files_50mb,
    "nodes_over_cap": nodes_over_cap,
    "nodes_at_cap": nodes_at_cap,
    "benchmark_catalog": benchmark_catalog,
}


# A minimal parent for the measured process. A forked child's peak RSS counts the
# memory of the process it was forked from (Linux keeps the high-water mark across
# exec), so a child forked straight from a large process (a pytest worker, this
# harness holding a 50 MB input) would be charged for it. This launcher, a bare
# interpreter, forks the command, reaps it with `os.wait4` and writes its peak RSS
# (KB) to the file named first; its own few MB are all the overstatement left.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
os._exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Run:
    """How one measured command ended."""

    exit_code: int
    wall_s: float
    cpu_s: float  # user + system time of the command: steadier than wall time on a busy machine
    peak_rss_kb: int
    output: str


def run_measured(command: list[str], work: Path, deadline_s: float = 600) -> Run:
    """Run ``command`` (an absolute executable first) and measure its peak RSS and time.

    Output (stdout and stderr) is collected in ``work``; past ``deadline_s`` the
    command's process group is killed and `TimeoutError` raised.
    """
    report, out = work / "peak_rss_kb", work / "output.txt"
    launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), *command]
    started = time.monotonic()
    with out.open("wb") as stdout:
        child = subprocess.Popen(
            launcher, stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        code = child.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise TimeoutError(f"{command} did not finish in {deadline_s} s") from None
    elapsed = time.monotonic() - started
    output = out.read_text("utf-8", "replace")
    peak, cpu = report.read_text().split()
    return Run(code, elapsed, float(cpu), int(peak), output)


def measure(catalog: Path, work: Path) -> dict[str, object]:
    """Exit code, wall time and peak RSS of one `validate` of ``catalog``."""
    command = [sys.executable, "-m", "catalogsync", "--catalog", str(catalog), "validate"]
    run = run_measured(command, work)
    lines = run.output.replace(f"{catalog}{os.sep}", "").strip().splitlines()
    return {
        "exit_code": run.exit_code,
        "wall_s": round(run.wall_s, 2),
        "cpu_s": round(run.cpu_s, 2),
        "peak_rss_mb": round(run.peak_rss_kb / 1024, 1),
        "input_mb": round(sum(p.stat().st_size for p in catalog.rglob("*.yaml")) / MB, 1),
        "first_line": lines[0][:200] if lines else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "yaml_limits.json")
    args = parser.parse_args(argv)
    results = {}
    for name, make in INPUTS.items():
        with tempfile.TemporaryDirectory() as directory:
            catalog = Path(directory) / "catalog"
            catalog.mkdir()
            make(catalog)
            results[name] = measure(catalog, Path(directory))
        print(name, results[name], flush=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print("\n| input | input MB | exit | CPU s | wall s | peak RSS MB |\n|---|---|---|---|---|---|")
    for name, r in results.items():
        cells = (name, r["input_mb"], r["exit_code"], r["cpu_s"], r["wall_s"], r["peak_rss_mb"])
        print("| " + " | ".join(map(str, cells)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
