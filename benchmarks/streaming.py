"""Benchmark `dta-kg query run` streaming its rows: time to the first row and rows per second.

    python benchmarks/streaming.py --sizes 100000 --repeats 5 --work /tmp/dta-kg-bench

For the named questions with the largest answers (at 100,000 synthetic studies:
studies-by-component, about 59,000 rows, and studies-by-factor, about 43,000), each run is a
fresh `dta-kg query run ... --format csv` process (sorted, and with --unordered) whose
output is read as it comes: the time
to its first row (after the header), the time to its last, and the rows per second over the
whole run. `--format table`, which measures every row before it writes one, is timed beside
it. The corpus of each size must already be built (`benchmarks/run.py` or `dta-kg build` with
DTA_KG_RECORDS and DTA_KG_BUILD set), so no run rebuilds. The figures go into
benchmarks/README.md between the `streaming:start` and `streaming:end` markers, with the load
average of the machine while they were taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sections import put_section  # noqa: E402  (beside this script)

DTA_KG = str(Path(sys.executable).parent / "dta-kg")
QUERIES = [("studies-by-component", "component=bond"), ("studies-by-factor", "factor=empathy")]
START, END = "<!-- streaming:start -->", "<!-- streaming:end -->"


@dataclass
class Runs:
    size: int
    query: str
    fmt: str
    first: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    rows: int = 0
    load: list[float] = field(default_factory=list)


def one_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds to the first row, seconds to the end, and the number of rows of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first, lines = 0.0, 0
    for _ in proc.stdout:
        lines += 1
        if lines == 2:  # the header, then the first row
            first = time.perf_counter() - started
    code = proc.wait()
    total = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code or "rebuilding" in err:
        raise SystemExit(f"{' '.join(cmd)} failed or rebuilt the stores: {err[-800:]}")
    return first or total, total, max(0, lines - 1)


def bench(size: int, work: Path, repeats: int) -> list[Runs]:
    folder = work / str(size)
    env = {**os.environ, "DTA_KG_RECORDS": str(folder / "records"),
           "DTA_KG_BUILD": str(folder / "build")}
    out = []
    for name, param in QUERIES:
        rows = 0
        for fmt in ("csv", "csv --unordered", "table"):
            runs = Runs(size, name, fmt)
            for _ in range(repeats):
                runs.load.append(os.getloadavg()[0])
                first, total, lines = one_run([DTA_KG, "query", "run", name, "-p", param,
                                               "--format", *fmt.split()], env)
                runs.first.append(first)
                runs.total.append(total)
                rows = rows or lines  # a table's lines are not its rows: counted in csv
                runs.rows = rows
            out.append(runs)
            print(f"{size} {name} {fmt}: first row {statistics.median(runs.first):.3f} s, "
                  f"last {statistics.median(runs.total):.3f} s, {runs.rows} rows", flush=True)
    return out


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def report(results: list[Runs], command: str) -> str:
    lines = [START, "## Streaming answers (`query run`)", "",
             f"Command: `{command}`, on {dt.date.today().isoformat()}. Each run is a fresh "
             "process whose output is read as it comes; medians with the spread (min-max). With "
             "`--format csv` rows are written as they are read, but the catalogue's sorted "
             "questions read and sort every row first; `--unordered` leaves that sort out, so "
             "rows come in the engine's order as it finds them; `--format table` measures "
             "every row before it writes one, so its first row comes with its last. Rows per "
             "second: the answer's rows over the whole run's median.", "",
             "| studies | query | format | rows | first row s | last row s | rows/s | "
             "load average (1 min) |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        rate = r.rows / statistics.median(r.total)
        lines.append(f"| {r.size:,} | {r.query} | {r.fmt} | {r.rows:,} | {spread(r.first)} | "
                     f"{spread(r.total)} | {rate:,.0f} | {min(r.load):.1f}-{max(r.load):.1f} |")
    lines += ["", "| target | figure | met? |", "|---|---|---|"]
    for r in results:
        if r.size >= 100_000 and r.fmt.startswith("csv"):
            first = statistics.median(r.first)
            lines.append(f"| first row of {r.query} ({r.rows:,} rows, `{r.fmt}`) at {r.size:,} < 1 s | "
                         f"{first:.3f} s | {'met' if first < 1 else 'MISSED'} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-bench"))
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args()
    results: list[Runs] = []
    for size in (int(s) for s in args.sizes.split(",")):
        results += bench(size, args.work, args.repeats)
    command = (f"python benchmarks/streaming.py --sizes {args.sizes} --repeats {args.repeats} "
               f"--work {args.work}")
    section = report(results, command)
    put_section(args.readme, section)
    print(section)


if __name__ == "__main__":
    main()
