"""Benchmark dta-kg at several corpus sizes and write the results to benchmarks/README.md.

    python benchmarks/run.py --sizes 28,1000,10000,100000

Each operation is a real `dta-kg` command run as a fresh process (so every run is cold),
repeated and reported as median, spread (min-max) and peak resident memory. The naive path
(rdflib in memory, parsing the Turtle build on every command) runs the same SPARQL beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sections import marked_sections, put_section  # noqa: E402  (beside this script)

ROOT = HERE.parent
BIN = Path(sys.executable).parent
DTA_KG = str(BIN / "dta-kg")
QUERIES = [  # (name, parameters): five named questions, run in SPARQL and in Cypher
    ("studies-by-component", {"component": "bond"}),
    ("studies-by-instrument", {"instrument": "WAI-SR"}),
    ("studies-by-factor", {"factor": "empathy"}),
    ("studies-per-component", {}),
    ("component-co-occurrence", {}),
]
# `studies` filters, alone and combined, measured round-robin with the component filter (the
# first) in one run; on the review each must cost at most STUDIES_RATIO times the component's
STUDIES_FILTERS = [
    ("--component", "bond"),
    ("--factor", "anonymity"),
    ("--factor", "privacy"),
    ("--factor", "anonymity", "--polarity", "facilitator"),
    ("--theme", "accessibility-and-anonymity"),
    ("--theme", "accessibility-and-anonymity", "--polarity", "barrier"),
    ("--factor", "anonymity", "--theme", "accessibility-and-anonymity"),
    ("--factor", "empathy", "--component", "bond", "--instrument", "WAI-SR"),
    ("--factor", "privacy", "--year-from", "2021", "--scope", "review"),
    ("--theme", "accessibility-and-anonymity", "--design", "qualitative-study"),
]
STUDIES_RATIO = 1.5
NAIVE_LIMIT = 10_000  # rdflib cannot hold the 100,000-study Turtle in memory here
NAIVE_TIMEOUT = 120


@dataclass
class Measure:
    what: str
    size: int
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    naive: list[float] = field(default_factory=list)
    note: str = ""
    ratio: float | None = None  # a `studies` filter's median over the component filter's
    load: list[float] = field(default_factory=list)  # 1-minute load average before each run

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def speedup(self) -> float | None:
        return statistics.median(self.naive) / self.median if self.naive else None


def run(cmd: list[str], env: dict | None = None,
        timeout: float | None = None) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one command, run to completion (or stopped at `timeout`,
    when the time given is the timeout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    if timeout is not None:  # peak memory is not measured for these
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return timeout, 0.0
        if code != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
        return time.perf_counter() - start, 0.0
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def repeat(what: str, size: int, cmd: list[str], times: int, env=None) -> Measure:
    m = Measure(what, size)
    for _ in range(times):
        m.load.append(os.getloadavg()[0])
        seconds, peak = run(cmd, env)
        m.seconds.append(seconds)
        m.peak_mb = max(m.peak_mb, peak)
    return m


def prepare(size: int, work: Path) -> tuple[Path, Path]:
    target = work / str(size)
    records, build = target / "records", target / "build"
    if size == 28:
        if records.exists():
            shutil.rmtree(records)
        shutil.copytree(ROOT / "records", records, ignore=shutil.ignore_patterns("source"))
    elif not (records / "studies").exists() or \
            len(list((records / "studies").glob("*.yaml"))) != size:
        subprocess.run([DTA_KG, "bench", "generate", "--studies", str(size), "--seed", "1",
                        "-o", str(target)], check=True, stdout=subprocess.DEVNULL)
    return records, build


def bench_size(size: int, work: Path, repeats: int, reuse_build: bool = False) -> list[Measure]:
    records, build = prepare(size, work)
    env = {"DTA_KG_RECORDS": str(records), "DTA_KG_BUILD": str(build)}
    builds = 1 if size >= 10_000 else repeats
    repeats = repeats if size < 100_000 else 3
    if reuse_build and build.exists():  # not timed: one query brings the stores up to date
        subprocess.run([DTA_KG, "query", "run", "studies-per-component", "--format", "json"],
                       env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)
        out = []
    else:
        out = [repeat("build", size, [DTA_KG, "build"], builds, env)]
    for name, params in QUERIES:
        args = [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
        for lang in ("sparql", "cypher"):
            m = repeat(f"query {name} ({lang})", size,
                       [DTA_KG, "query", "run", name, *args, "--lang", lang, "--format", "json"],
                       repeats, env)
            if lang == "sparql":
                naive(m, build, name, params, repeats)
            out.append(m)
    out += studies_filters(size, repeats, env)
    cold = repeat("cold studies --component bond --instrument WAI-SR", size,
                  [DTA_KG, "studies", "--component", "bond", "--instrument", "WAI-SR",
                   "--format", "json"], repeats, env)
    naive(cold, build, "studies", {"component": "bond", "instrument": "WAI-SR"}, repeats)
    out.append(cold)
    focus = "10.3389/fdgth.2022.847991" if size == 28 else "10.5555/dta-synth.1.0"
    out.append(repeat("view --focus STUDY --depth 2", size,
                      [DTA_KG, "view", "-o", str(work / "view.html"), "--focus", focus,
                       "--depth", "2"], repeats, env))
    if size <= 1000:
        out.append(repeat("view (whole graph)", size,
                          [DTA_KG, "view", "-o", str(work / "view.html")], repeats, env))
    return out


def studies_filters(size: int, repeats: int, env: dict) -> list[Measure]:
    """Every filter of STUDIES_FILTERS, run in turn once per round, so that each ratio to the
    component filter is taken under the same load."""
    measures = [Measure(f"studies {' '.join(f)}", size) for f in STUDIES_FILTERS]
    for _ in range(repeats):
        for m, filters in zip(measures, STUDIES_FILTERS, strict=True):
            m.load.append(os.getloadavg()[0])
            seconds, peak = run([DTA_KG, "studies", *filters, "--format", "json"], env)
            m.seconds.append(seconds)
            m.peak_mb = max(m.peak_mb, peak)
    for m in measures[1:]:
        m.ratio = m.median / measures[0].median
    return measures


def slow_filters(measures: list[Measure]) -> list[Measure]:
    """The `studies` filters on the review that cost more than STUDIES_RATIO times the
    component filter of the same run."""
    return [m for m in measures
            if m.size == 28 and m.ratio is not None and m.ratio > STUDIES_RATIO]


def naive(m: Measure, build: Path, name: str, params: dict, repeats: int) -> None:
    if m.size > NAIVE_LIMIT:
        m.note = "naive path not run: rdflib cannot hold this graph in memory here"
        return
    cmd = [sys.executable, str(HERE / "naive.py"), str(build / "dta-kg.ttl"), name,
           json.dumps(params)]
    m.naive = []
    for _ in range(repeats if m.size <= 1000 else 2):
        m.naive.append(run(cmd, timeout=NAIVE_TIMEOUT)[0])
        if m.naive[-1] >= NAIVE_TIMEOUT:
            m.note = f"naive path stopped after {NAIVE_TIMEOUT} s: the speed-up is at least this"
            break


def machine() -> str:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    return (f"{os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB memory, "
            f"{platform.platform()}, Python {platform.python_version()}")


def table(measures: list[Measure]) -> str:
    rows = ["| studies | operation | median s | spread s (min-max) | runs | peak MB | "
            "naive median s | speed-up | vs component filter | load average |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for m in measures:
        spread = f"{min(m.seconds):.3f}-{max(m.seconds):.3f}"
        naive_s = f"{statistics.median(m.naive):.3f}" if m.naive else "-"
        bound = ">=" if m.naive and max(m.naive) >= NAIVE_TIMEOUT else ""
        speed = f"{bound}{m.speedup:.0f}x" if m.speedup else (m.note and "n/a") or "-"
        ratio = f"{m.ratio:.2f}x" if m.ratio is not None else "-"
        rows.append(f"| {m.size:,} | {m.what} | {m.median:.3f} | {spread} | {len(m.seconds)} | "
                    f"{m.peak_mb:.0f} | {naive_s} | {speed} | {ratio} | "
                    f"{min(m.load):.1f}-{max(m.load):.1f} |")
    return "\n".join(rows)


def targets(measures: list[Measure], help_m: Measure) -> str:
    def find(what, size):
        return [m for m in measures if m.size == size and m.what.startswith(what)]

    rows = ["| what | target | figure | met? |", "|---|---|---|---|"]

    def add(what, target, figure, ok):
        rows.append(f"| {what} | {target} | {figure} | {'met' if ok else 'MISSED'} |")

    add("`dta-kg --help`", "median <= 0.15 s", f"{help_m.median:.3f} s", help_m.median <= 0.15)
    for m in find("cold studies", 28):
        add("cold `dta-kg studies --component bond --instrument WAI-SR`, review",
            "median <= 0.25 s", f"{m.median:.3f} s", m.median <= 0.25)
    for m in find("build", 28):
        add("build of the review, all checks", "<= 5 s", f"{m.median:.2f} s", m.median <= 5)
    for m in find("build", 10_000):  # issue 26
        add("build of 10,000 studies", "<= 15 s", f"{m.median:.1f} s, {m.peak_mb / 1024:.2f} GB",
            m.median <= 15)
    for m in find("build", 100_000):  # issue 26 (issue 13 asked 180 s and 4 GB)
        add("build of 100,000 studies", "<= 150 s, <= 2.5 GB",
            f"{m.median:.0f} s, {m.peak_mb / 1024:.2f} GB", m.median <= 150 and m.peak_mb <= 2560)
    for m in find("studies --", 28):
        if m.ratio is not None:
            add(f"`{m.what}` on the review", f"<= {STUDIES_RATIO}x the component filter",
                f"{m.ratio:.2f}x", m.ratio <= STUDIES_RATIO)
    for m in find("view --focus", 100_000):
        add("view --focus STUDY --depth 2 at 100,000", "<= 1.5 s, <= 300 MB",
            f"{m.median:.2f} s, {m.peak_mb:.0f} MB", m.median <= 1.5 and m.peak_mb <= 300)
    for m in [*find("cold studies", 100_000), *find("query", 100_000)]:
        add(f"{m.what} at 100,000", "median <= 1 s", f"{m.median:.3f} s", m.median <= 1)
    for m in [*find("query", 10_000), *find("cold studies", 10_000)]:
        if m.speedup:
            bound = ">=" if max(m.naive) >= NAIVE_TIMEOUT else ""
            add(f"speed-up of {m.what} at 10,000", ">= 20x", f"{bound}{m.speedup:.0f}x",
                m.speedup >= 20)
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="28,1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "README.md")
    parser.add_argument("--reuse-build", action="store_true",
                        help="Use the builds already in --work (the build is then not timed).")
    args = parser.parse_args()
    kept = marked_sections(args.out)  # the other scripts' sections stay
    args.work.mkdir(parents=True, exist_ok=True)
    measures: list[Measure] = []
    help_m = repeat("dta-kg --help", 0, [DTA_KG, "--help"], max(args.repeats, 10))
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size} studies ...", file=sys.stderr)
        measures += bench_size(size, args.work, args.repeats, args.reuse_build)
        (args.work / "partial.md").write_text(table(measures))
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    text = (HERE / "README.template.md").read_text().format(
        date=dt.date.today().isoformat(), machine=machine(), command=command.strip(),
        help=f"{help_m.median:.3f} s median over {len(help_m.seconds)} runs "
             f"({min(help_m.seconds):.3f}-{max(help_m.seconds):.3f})",
        targets=targets(measures, help_m), table=table(measures))
    args.out.write_text(text)
    for section in kept:
        put_section(args.out, section)
    print(text)
    if slow := slow_filters(measures):
        print(f"a studies filter on the review costs more than {STUDIES_RATIO}x the component "
              f"filter: {', '.join(m.what for m in slow)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
