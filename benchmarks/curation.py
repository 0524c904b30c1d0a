"""Benchmark curators' writes at scale, the new in-place path beside the old full one.

    python benchmarks/curation.py --sizes 28,1000,100000 --repeats 3 --work /tmp/dta-kg-curation

For each corpus (28: a copy of the curated records; others: `dta-kg bench generate`) it times
the build, `dta-kg validate`, a `factor add` on the new path (the record checked alone, the
stores updated in place) and on the old path (DTA_KG_FULL_CHECK=1: the whole project validated
in a copy, the stores rebuilt by the next query), and the query straight after a write, which
must answer from fresh stores without a rebuild. Every operation is a real `dta-kg` command
started as a fresh process. The figures go into benchmarks/README.md between the
`curation:start` and `curation:end` markers.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sections import put_section  # noqa: E402  (beside this script)

ROOT = HERE.parent
DTA_KG = str(Path(sys.executable).parent / "dta-kg")
OLD_PATH_LIMIT = 1_000  # the old path validates every record in rdflib: not at 100,000
START, END = "<!-- curation:start -->", "<!-- curation:end -->"
QUOTE = "Beatty et al [25] reported that users expressed strong emotional connections"


@dataclass
class Row:
    size: int
    what: str
    seconds: list[float] = field(default_factory=list)
    note: str = ""
    load: list[float] = field(default_factory=list)  # 1-minute load average before each run

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip()[-800:]}")
    return elapsed, done


def corpus(size: int, work: Path) -> tuple[Path, str]:
    """The records folder of `size` studies, and the DOI of a study to write to."""
    folder = work / str(size)
    records = folder / "records"
    if not records.exists():
        if size == 28:
            shutil.copytree(ROOT / "records", records,
                            ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
        else:
            subprocess.run([DTA_KG, "bench", "generate", "--studies", str(size), "--seed", "1",
                            "-o", str(folder)], check=True, capture_output=True)
    first = min((records / "studies").glob("*.yaml"))
    doi = re.search(r"^doi:\s*(\S+)", first.read_text(encoding="utf-8"), re.M)
    assert doi, first
    return records, doi.group(1).strip("'\"")


def factor_add(doi: str, n: int) -> list[str]:
    return [DTA_KG, "factor", "add", doi, "--barrier", f"benchmark barrier {n}", "--theme",
            "technical-reliability", "--source", "review", "--section", "Results > Therapeutic Bond",
            "--quote", QUOTE]


def bench_size(size: int, work: Path, repeats: int, reuse_build: bool = False) -> list[Row]:
    records, doi = corpus(size, work)
    build = records.parent / "build"
    env = {**os.environ, "DTA_KG_RECORDS": str(records), "DTA_KG_BUILD": str(build),
           "DTA_KG_CURATOR": "Benchmark"}
    env.pop("DTA_KG_FULL_CHECK", None)
    write, query = Row(size, "factor add, new path"), Row(size, "query straight after a write")
    rows = [write, query]
    if reuse_build and build.exists():  # not timed: one query brings the stores up to date
        timed([DTA_KG, "query", "run", "studies-per-component", "--format", "json"], env)
    else:
        rows = [Row(size, "build", [timed([DTA_KG, "build"], env)[0]]),
                Row(size, "validate", [timed([DTA_KG, "validate"], env)[0]]), *rows]
    n = int(time.time())  # a barrier no earlier run wrote
    for _ in range(repeats):
        n += 1
        write.load.append(os.getloadavg()[0])
        write.seconds.append(timed(factor_add(doi, n), env)[0])
        seconds, done = timed([DTA_KG, "studies", "--component", "bond", "--instrument", "WAI-SR",
                               "--format", "json"], env)
        if "rebuilding" in done.stderr:
            raise SystemExit(f"the query after a write at {size} rebuilt the stores")
        query.load.append(os.getloadavg()[0])
        query.seconds.append(seconds)
    query.note = "no rebuild"
    if size <= OLD_PATH_LIMIT:
        old = Row(size, "factor add, old path")
        for _ in range(repeats):
            n += 1
            old.seconds.append(timed(factor_add(doi, n), {**env, "DTA_KG_FULL_CHECK": "1"})[0])
        first_query = Row(size, "query after an old-path write (rebuilds)")
        first_query.seconds.append(timed([DTA_KG, "studies", "--component", "bond",
                                          "--instrument", "WAI-SR", "--format", "json"], env)[0])
        rows += [old, first_query]
    return rows


def earlier_rows(readme: Path) -> list[Row]:
    """The figures of this section as the README holds them (from an earlier run)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    section = text[text.find(START):text.find(END)] if START in text else ""
    out = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].replace(",", "").isdigit():
            try:
                seconds = float(cells[2])
            except ValueError:
                continue
            out.append(Row(int(cells[0].replace(",", "")), cells[1], [seconds],
                           note="earlier run, not re-measured"))
    return out


def find(rows: list[Row], size: int, what: str) -> Row | None:
    return next((r for r in rows if r.size == size and r.what == what), None)


def report(rows: list[Row], command: str) -> str:
    lines = [START, "## Curation at scale", "",
             f"Command: `{command}`. Each figure is the median of real `dta-kg` processes "
             "(build and validate: one run). The new path checks the changed record alone "
             "(schema, SHACL and QC on its own triples; DOI and reference number against the "
             "query store) and updates Oxigraph and ladybug in place; the old path "
             "(`DTA_KG_FULL_CHECK=1`) validates the whole project in a copy and leaves the "
             "stores to be rebuilt by the next query. Medians with the spread (min-max) and "
             "the 1-minute load average of the machine before each run.", "",
             "| studies | operation | median s | spread s | runs | load average | note |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        load = f"{min(r.load):.1f}-{max(r.load):.1f}" if r.load else "-"
        lines.append(f"| {r.size:,} | {r.what} | {r.median:.2f} | {min(r.seconds):.2f}-"
                     f"{max(r.seconds):.2f} | {len(r.seconds)} | {load} | {r.note} |")
    lines += ["", "| target | figure | met? |", "|---|---|---|"]
    sizes = sorted({r.size for r in rows})
    small, review = find(rows, 28, "factor add, new path"), None
    review = small
    for size in sizes:
        new = find(rows, size, "factor add, new path")
        old = find(rows, size, "factor add, old path")
        if size == 1000 and new and review:
            ratio = new.median / review.median
            lines.append(f"| `factor add` at 1,000 <= 3x the review's | {ratio:.2f}x "
                         f"({new.median:.2f} s / {review.median:.2f} s) | "
                         f"{'met' if ratio <= 3 else 'MISSED'} |")
        if new and old:
            lines.append(f"| new path vs old at {size:,} | {new.median:.2f} s vs {old.median:.2f} s "
                         f"({old.median / new.median:.1f}x faster) | - |")
        if size >= 100_000 and new:
            lines.append(f"| `factor add` at {size:,} <= 5 s | {new.median:.2f} s | "
                         f"{'met' if new.median <= 5 else 'MISSED'} |")
        validate, build = find(rows, size, "validate"), find(rows, size, "build")
        if size >= 100_000 and validate and build:
            lines.append(f"| `validate` at {size:,} <= its build | {validate.median:.1f} s vs "
                         f"{build.median:.1f} s | {'met' if validate.median <= build.median else 'MISSED'} |")
        query = find(rows, size, "query straight after a write")
        if query:
            lines.append(f"| query straight after a write at {size:,}, no rebuild | "
                         f"{query.median:.2f} s | met |")
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="28,1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-curation"))
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("--reuse-build", action="store_true",
                        help="Use the builds already in --work: build and validate are not timed, "
                             "and their figures from the README's last run are kept, so marked.")
    args = parser.parse_args()
    rows: list[Row] = []
    earlier = earlier_rows(args.readme)
    for size in (int(s) for s in args.sizes.split(",")):
        rows += bench_size(size, args.work, args.repeats, args.reuse_build)
        if args.reuse_build:
            rows += [r for r in earlier if r.size == size and r.what in ("build", "validate")
                     and not find(rows, size, r.what)]
        print(f"{size}: " + ", ".join(f"{r.what} {r.median:.2f} s" for r in rows if r.size == size),
              flush=True)
    command = (f"python benchmarks/curation.py --sizes {args.sizes} --repeats {args.repeats} "
               f"--work {args.work}{' --reuse-build' if args.reuse_build else ''}")
    section = report(rows, command)
    put_section(args.readme, section)
    print(section)


if __name__ == "__main__":
    main()
