"""Benchmark the living review's intake: importing and deduplicating a 10,000-record search
export, and how much screening the ranking of `dta-kg screen next` saves.

    python benchmarks/screening.py --sizes 28,1000,100000 --repeats 3 --work /tmp/dta-kg-screening

1. Import. A synthetic RIS export of 10,000 fictional records (seeded), with planted
   duplicates: the same DOI, the same title upper-cased and accented without a DOI, the title
   with one letter changed, and records of the graph's own studies. For each corpus of
   studies (28: a copy of the curated records; others: `dta-kg bench generate`) it times the
   parse alone, the deduplication alone (in this process) and the whole
   `dta-kg screen import` as a fresh process (parse, deduplicate against the graph's studies,
   check, write through the curators' transaction), its CPU time, and the first import with
   the studies' titles not yet kept in the build folder (every study record read), and counts
   the duplicates found against those planted.
2. Ranking. A simulated candidate pool (2,000 records, 2.5% relevant: records about the
   alliance with an AI-driven tool; hard negatives about human therapy's alliance or chatbots
   outside mental health) is screened in the order `dta-kg screen next` gives (its own
   `rank`, retrained after every 20 decisions, with the review's 28 studies as the first
   positives) until 95% of the relevant records are found; work saved over sampling at 95%
   recall is WSS@95 = (N - screened) / N - 0.05, as the active-learning screening literature
   reports it, beside the same for random order.

The figures go into benchmarks/README.md between the `screening:start` and `screening:end`
markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from curation import corpus  # noqa: E402  (beside this script)
from sections import put_section  # noqa: E402

from dta_kg.core.paths import Project  # noqa: E402
from dta_kg.curation.dedupe import DuplicateIndex, Original  # noqa: E402
from dta_kg.curation.ranking import rank  # noqa: E402
from dta_kg.curation.screening import graph_studies  # noqa: E402
from dta_kg.curation.studies import STUDY_TITLES  # noqa: E402
from dta_kg.loaders.search_exports import read_search_export  # noqa: E402

DTA_KG = str(Path(sys.executable).parent / "dta-kg")
START, END = "<!-- screening:start -->", "<!-- screening:end -->"
EXPORT_SIZE = 10_000
# `screen import` before issue 23's speed-up (2026-12-07, loaded machine): median s (load)
BEFORE = {28: "19.94 (load 25.6-41.1)", 1_000: "37.29 (load 19.4-27.4)",
          100_000: "427.70 (load 11.2-16.8)"}
POOL, PREVALENCE, BATCH, RECALL = 2_000, 0.025, 20, 0.95

TOPIC = ["depression", "anxiety", "insomnia", "loneliness", "substance use", "stress",
         "smoking cessation", "eating disorders", "panic", "grief", "burnout", "self-harm"]
PEOPLE = ["university students", "older adults", "veterans", "adolescents", "new mothers",
          "nurses", "outpatients", "caregivers", "migrants", "employees"]
AI_TOOL = ["an AI chatbot", "a conversational agent", "an AI-driven therapy app",
           "a large language model coach", "a rule-based chatbot", "a virtual therapist",
           "a socially assistive robot", "an embodied conversational agent"]
ALLIANCE = ["the therapeutic alliance", "the working alliance", "the digital therapeutic alliance",
            "bond, goal and task agreement", "the therapeutic bond", "user engagement and alliance"]
DESIGN = ["a randomised trial", "a mixed-methods study", "a qualitative study", "a pilot study",
          "a cohort study", "a secondary analysis"]
HUMAN = ["face-to-face psychotherapy", "group therapy", "couples therapy",
         "telephone counselling", "videoconference therapy", "psychodynamic therapy"]
OTHER_AI = ["customer service", "language learning", "medication reminders", "radiology triage",
            "banking support", "tutoring in mathematics", "symptom checking", "diet tracking"]
OTHER = ["soil moisture sensors", "bus timetables", "dental floss adherence", "wind turbine icing",
         "marathon injuries", "hospital parking fees", "crop rotation", "typing speed"]


def relevant_text(r: random.Random) -> str:
    return (f"{r.choice(ALLIANCE).capitalize()} with {r.choice(AI_TOOL)} for "
            f"{r.choice(TOPIC)} in {r.choice(PEOPLE)}: {r.choice(DESIGN)}. Participants rated "
            f"{r.choice(ALLIANCE)} with {r.choice(AI_TOOL)}; engagement and "
            f"{r.choice(['empathy', 'trust', 'goal agreement', 'rapport'])} were measured.")


def irrelevant_text(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.3:  # the alliance, but with a human therapist
        return (f"{r.choice(ALLIANCE).capitalize()} in {r.choice(HUMAN)} for {r.choice(TOPIC)} "
                f"in {r.choice(PEOPLE)}: {r.choice(DESIGN)} of therapist ratings.")
    if kind < 0.6:  # a chatbot, but not for mental health
        return (f"{r.choice(AI_TOOL).capitalize()} for {r.choice(OTHER_AI)} among "
                f"{r.choice(PEOPLE)}: {r.choice(DESIGN)} of usability and engagement.")
    if kind < 0.8:  # mental health, no AI, no alliance
        return (f"Symptoms of {r.choice(TOPIC)} in {r.choice(PEOPLE)}: {r.choice(DESIGN)} of "
                f"prevalence and risk factors.")
    return f"{r.choice(OTHER).capitalize()} in {r.choice(PEOPLE)}: {r.choice(DESIGN)}."


# --- 1. import and deduplicate ---------------------------------------------------------------

def ris_export(path: Path, size: int, studies: list[tuple[str, str, int | None]],
               seed: int = 1) -> int:
    """Write a RIS export of `size` records with planted duplicates; return how many."""
    r = random.Random(seed)
    records: list[dict] = []
    planted = 0
    for n in range(size):
        roll = r.random()
        if records and roll < 0.04:  # the same DOI as an earlier record
            records.append({**r.choice(records), "abstract": "Exported again."})
            planted += 1
            continue
        if records and roll < 0.07:  # the same title, upper-cased and accented, no DOI
            original = r.choice(records)
            title = original["title"].upper().replace("E", "É", 1)
            records.append({**original, "title": title, "doi": None})
            planted += 1
            continue
        if records and roll < 0.09:  # one letter changed, no DOI
            original = r.choice(records)
            title = original["title"]
            at = len(title) // 2
            records.append({**original, "title": title[:at] + "x" + title[at + 1:], "doi": None})
            planted += 1
            continue
        if studies and roll < 0.095:  # a study the graph already holds
            doi, title, year = r.choice(studies)
            records.append({"title": title, "year": year or 2022, "doi": doi, "abstract": ""})
            planted += 1
            continue
        text = relevant_text(r) if r.random() < 0.1 else irrelevant_text(r)
        title, _, abstract = text.partition(". ")
        records.append({"title": f"{title} (record {n})", "year": r.randint(2015, 2025),
                        "doi": f"10.99999/bench.{n}", "abstract": abstract})
    lines = []
    for rec in records:
        lines += ["TY  - JOUR", f"TI  - {rec['title']}", "AU  - Fictus, A", f"PY  - {rec['year']}"]
        if rec["doi"]:
            lines.append(f"DO  - {rec['doi']}")
        if rec["abstract"]:
            lines.append(f"AB  - {rec['abstract']}")
        lines += ["ER  - ", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return planted


def dedupe(entries, studies) -> int:
    index = DuplicateIndex()
    for doi, title, year in studies:
        index.add(Original(study=doi), doi, title, year)
    found = 0
    for i, e in enumerate(entries):
        year = int(e.year) if e.year else None
        if index.find(e.doi, e.title or "", year) is None:
            index.add(Original(candidate=str(i)), e.doi, e.title or "", year)
        else:
            found += 1
    return found


@dataclass
class ImportRow:
    size: int
    parse: list[float]
    dedupe: list[float]
    command: list[float]
    cpu: list[float]
    cold: float
    planted: int
    found: int
    load: list[float]


def bench_import(size: int, work: Path, repeats: int) -> ImportRow:
    records, _ = corpus(size, work)
    studies = graph_studies(Project(records=records, build=records.parent / "build"))
    export = work / f"export-{size}.ris"
    planted = ris_export(export, EXPORT_SIZE, studies)
    env = {**os.environ, "DTA_KG_RECORDS": str(records),
           "DTA_KG_BUILD": str(records.parent / "build"), "DTA_KG_CURATOR": "Benchmark"}
    row = ImportRow(size, [], [], [], [], 0.0, planted, 0, [])
    (records.parent / "build" / STUDY_TITLES).unlink(missing_ok=True)
    row.cold = import_command(export, records, env, "cold")[0]
    for n in range(repeats):
        row.load.append(os.getloadavg()[0])
        started = time.perf_counter()
        _, _, entries = read_search_export(export)
        row.parse.append(time.perf_counter() - started)
        started = time.perf_counter()
        row.found = dedupe(entries, studies)
        row.dedupe.append(time.perf_counter() - started)
        wall, cpu = import_command(export, records, env, f"bench-{n}")
        row.command.append(wall)
        row.cpu.append(cpu)
    shutil.rmtree(records / "screening" / "runs", ignore_errors=True)
    return row


def import_command(export: Path, records: Path, env: dict[str, str],
                   run: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of `dta-kg screen import` into no search runs."""
    shutil.rmtree(records / "screening" / "runs", ignore_errors=True)
    before, started = os.times(), time.perf_counter()
    done = subprocess.run([DTA_KG, "screen", "import", str(export), "--database", "Bench",
                           "--date", "2025-06-30", "--query", "q", "--run", run],
                          env=env, capture_output=True, text=True, timeout=3600)
    wall, after = time.perf_counter() - started, os.times()
    if done.returncode:
        raise SystemExit(f"screen import failed: {done.stderr.strip()[-800:]}")
    return wall, (after.children_user - before.children_user
                  + after.children_system - before.children_system)


# --- 2. ranking ------------------------------------------------------------------------------

def pool(seed: int) -> list[tuple[str, str, bool]]:
    r = random.Random(seed)
    relevant = int(POOL * PREVALENCE)
    items = [(f"p{i}", relevant_text(r) if i < relevant else irrelevant_text(r), i < relevant)
             for i in range(POOL)]
    r.shuffle(items)
    return items


def screened_for_recall(order_of, items: list[tuple[str, str, bool]]) -> int:
    """How many records are screened, in the order `order_of(labelled)` gives batch by batch,
    before RECALL of the relevant ones are found."""
    wanted = RECALL * sum(rel for _, _, rel in items)
    labelled: dict[str, bool] = {}
    while True:
        for cid in order_of(labelled)[:BATCH]:
            labelled[cid] = next(rel for i, _, rel in items if i == cid)
            if sum(labelled.values()) >= wanted:
                return len(labelled)


def wss(n_screened: int) -> float:
    return (POOL - n_screened) / POOL - (1 - RECALL)


def bench_ranking(seeds: int, review_titles: list[str]) -> dict:
    model, chance = [], []
    for seed in range(seeds):
        items = pool(seed)
        text = {i: t for i, t, _ in items}

        def by_model(labelled: dict[str, bool], items=items, text=text) -> list[str]:
            left = [(i, text[i]) for i, _, _ in items if i not in labelled]
            relevant = review_titles + [text[i] for i, rel in labelled.items() if rel]
            irrelevant = [text[i] for i, rel in labelled.items() if not rel]
            return [r.id for r in rank(left, relevant, irrelevant)]

        shuffled = [i for i, _, _ in items]
        random.Random(100 + seed).shuffle(shuffled)

        def at_random(labelled: dict[str, bool], shuffled=shuffled) -> list[str]:
            return [i for i in shuffled if i not in labelled]

        model.append(screened_for_recall(by_model, items))
        chance.append(screened_for_recall(at_random, items))
    return {"model": model, "random": chance}


def section(rows: list[ImportRow], ranking: dict, repeats: int) -> str:
    med = statistics.median
    lines = [START, "## Screening: import, deduplication and ranking (issue 23)", "",
             f"Measured on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
             f"{platform.platform()}, Python {platform.python_version()}. Command: "
             f"`python benchmarks/screening.py --sizes {','.join(str(r.size) for r in rows)} "
             f"--repeats {repeats}`.", "",
             f"**Import of a {EXPORT_SIZE:,}-record RIS export** (synthetic, fictional, with "
             "planted duplicates), medians over the runs; `screen import` is the whole command "
             "as a fresh process (parse, deduplicate against the graph's studies and the "
             "earlier candidates, check, write through the curators' transaction), with its "
             "CPU time (user + system); the first import is the same command run once before, "
             "with no study titles kept in the build folder yet (every study record read); "
             "before: the whole command before the speed-up, as first measured:", "",
             "| studies in the graph | parse s | deduplicate s | `screen import` s (spread) | "
             "CPU s | first import s | before s | duplicates planted | found | load average |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.size:,} | {med(r.parse):.2f} | {med(r.dedupe):.2f} | "
                     f"{med(r.command):.2f} ({min(r.command):.2f}-{max(r.command):.2f}) | "
                     f"{med(r.cpu):.2f} | {r.cold:.2f} | {BEFORE.get(r.size, '-')} | "
                     f"{r.planted} | {r.found} | {min(r.load):.1f}-{max(r.load):.1f} |")
    model = [wss(n) for n in ranking["model"]]
    chance = [wss(n) for n in ranking["random"]]
    lines += ["", f"**Ranking** (`screen next`): a simulated pool of {POOL:,} records, "
              f"{PREVALENCE:.1%} relevant, screened {BATCH} at a time in the model's order "
              f"(retrained after each batch, the review's 28 study titles as the first "
              f"positives) until {RECALL:.0%} of the relevant records are found; "
              f"{len(model)} pools (seeds 0-{len(model) - 1}).", "",
              "| order | records screened for 95% recall (per pool) | WSS@95 median | "
              "WSS@95 per pool |", "|---|---|---|---|",
              f"| model | {', '.join(map(str, ranking['model']))} | {med(model):.3f} | "
              f"{', '.join(f'{w:.3f}' for w in model)} |",
              f"| random | {', '.join(map(str, ranking['random']))} | {med(chance):.3f} | "
              f"{', '.join(f'{w:.3f}' for w in chance)} |", "",
              "The pool is generated from phrase lists (benchmarks/screening.py), so it is "
              "easier to separate than a real search: the figure shows the ranking works and "
              "what it costs, not what it will save on a real update."]
    if max(max(r.load) for r in rows) > 2 * (os.cpu_count() or 1):
        lines += ["", "The machine was shared and loaded (see the load averages) while this ran: "
                  "the times are upper bounds, several times what an idle machine gives."]
    lines += ["", "The speed-up: the search run written is checked on the data it was written "
              "from, not parsed back (its YAML text reads back as that data, "
              "tests/unit/test_generated_yaml.py); each study's DOI, title and year are kept in "
              "the build folder by the SHA-256 of its record's bytes, so an import reads the "
              "records' bytes but parses only those changed since (the first import column "
              "parses them all); ASCII titles skip the accent folding.", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="28,1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pools", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-screening"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [bench_import(int(s), args.work, args.repeats) for s in args.sizes.split(",")]
    review = [t for _, t, _ in graph_studies(Project.of(HERE.parent / "records"))]
    ranking = bench_ranking(args.pools, review)
    text = section(rows, ranking, args.repeats)
    print(text)
    put_section(HERE / "README.md", text)


if __name__ == "__main__":
    main()
