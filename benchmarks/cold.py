"""Time one cold `dta-kg` command, wall and CPU, for one or more installations side by side.

    python benchmarks/cold.py --work /tmp/dta-kg-bench --size 100000 --repeats 9 \
        --dta-kg old=/path/to/old/.venv/bin/dta-kg --dta-kg new=.venv/bin/dta-kg \
        -- studies --component bond --instrument WAI-SR --format json

Each run is a fresh process on the built corpus WORK/SIZE (records/ and build/), after one
untimed run of the same installation (the build's stamp names the installation's ontology
files, so a stamp another installation wrote makes the first run check every record's
content). The table gives the
median wall time with its spread, the median CPU time (user + system, the process and its
children: on a shared machine the figure that load changes least) and the 1-minute load average
before the runs. The figures go into benchmarks/README.md between the `cold:start` and
`cold:end` markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sections import put_section  # noqa: E402  (beside this script)

START, END = "<!-- cold:start -->", "<!-- cold:end -->"


def one_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, with children) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) or "rebuilding" in err:
        raise SystemExit(f"{' '.join(cmd)} failed or rebuilt the stores: {err[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-bench"))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--dta-kg", dest="installs", action="append", required=True,
                        metavar="NAME=PATH", help="an installation's dta-kg (repeatable)")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("args", nargs="+", help="the dta-kg command and its options")
    args = parser.parse_args()
    folder = args.work / str(args.size)
    env = {**os.environ, "DTA_KG_RECORDS": str(folder / "records"),
           "DTA_KG_BUILD": str(folder / "build")}
    installs = [tuple(item.split("=", 1)) for item in args.installs]
    walls: dict[str, list[float]] = {name: [] for name, _ in installs}
    cpus: dict[str, list[float]] = {name: [] for name, _ in installs}
    loads: list[float] = []
    for name, path in installs:
        # untimed: the stamp names the installation's ontology files, so another installation's
        # stamp would cost this one's first run a check of every record's content
        one_run([path, *args.args], env)
        for _ in range(args.repeats):
            loads.append(os.getloadavg()[0])
            wall, cpu = one_run([path, *args.args], env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    shown = "dta-kg " + " ".join(args.args)
    lines = [START, f"## Cold `{shown}` at {args.size:,} studies", "",
             f"Command: `python benchmarks/cold.py --work {args.work} --size {args.size} "
             f"--repeats {args.repeats} {' '.join('--dta-kg ' + n + '=...' for n, _ in installs)} "
             f"-- {' '.join(args.args)}`, on {dt.date.today().isoformat()}; 1-minute load "
             f"average {min(loads):.1f}-{max(loads):.1f} during the runs (2 cores).", "",
             "| installation | median wall s | spread s (min-max) | median CPU s | runs |",
             "|---|---|---|---|---|"]
    for name, _ in installs:
        lines.append(f"| {name} | {statistics.median(walls[name]):.3f} | "
                     f"{min(walls[name]):.3f}-{max(walls[name]):.3f} | "
                     f"{statistics.median(cpus[name]):.3f} | {len(walls[name])} |")
    lines.append(END)
    section = "\n".join(lines)
    put_section(args.readme, section)
    print(section)


if __name__ == "__main__":
    main()
