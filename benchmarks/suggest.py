"""How well `dta-kg suggest` finds what the review states, study by study.

    python benchmarks/suggest.py            # prints the table, the misses and false suggestions
    python benchmarks/suggest.py --write    # also puts the table into benchmarks/README.md

For each of the review's 28 studies, the review's own sentences that cite it (its reference
number in brackets, or the name the review cites it by) are given to the same function
`dta-kg suggest` runs (`dta_kg.curation.suggest.suggest`). The candidates are compared with the
facts the curated records say the review *states* (evidence with no curator's inference, not
retracted, not the reference list): components, instruments (and engagement metrics and
goal-setting frameworks), subscales, factor concepts with their polarity, and designs.
Precision and recall are micro-averaged over (study, item) pairs. A sentence that cites several
studies gives each of them every fact it names, so some false suggestions are other studies'.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from dta_kg.core.model import ComponentReport, DesignReport, FactorReport, Finding, Study
from dta_kg.core.paths import Project
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.curation.curate import list_studies
from dta_kg.curation.suggest import Candidate, suggest
from dta_kg.loaders.review_text import sections
from dta_kg.loaders.terms import project_vocabulary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from sections import put_section  # noqa: E402  (beside this script)

START, END = "<!-- suggest:start -->", "<!-- suggest:end -->"
KINDS = ("components", "instruments", "subscales", "factor concepts with polarity", "designs")
TARGETS = {"components": (0.7, 0.8), "instruments": (0.7, 0.8), "subscales": (0.7, 0.8),
           "factor concepts with polarity": (0.7, 0.8)}  # (precision, recall)


def review_sentences() -> list[tuple[str, str]]:
    """(section, sentence) of the review's body, as syntok splits it."""
    from syntok import segmenter

    found = []
    for name, text in sections().items():
        if name == "References":
            continue
        for paragraph in segmenter.analyze(text):
            for sent in paragraph:
                start = sent[0].offset
                end = sent[-1].offset + len(sent[-1].value)
                found.append((name, text[start:end]))
    return found


def cites(sentence: str, study: Study) -> bool:
    """Whether a sentence cites the study: its number in a bracketed list, or its name."""
    for group in re.findall(r"\[([\d,\s–-]+)\]", sentence):
        for part in group.split(","):
            low, _, high = part.strip().replace("–", "-").partition("-")
            if low.isdigit() and (int(low) == study.ref if not high.isdigit()
                                  else int(low) <= (study.ref or 0) <= int(high)):
                return True
    return bool(study.cited_as) and study.cited_as in sentence


def stated(study: Study) -> dict[str, set[object]]:
    """What the records say the review states about the study, by kind."""
    facts = [f for f in study.facts() if not f.retracted and not f.evidence.inferred
             and f.evidence.section != "References"]
    return {
        "components": {f.component for f in facts if isinstance(f, ComponentReport)},
        "instruments": {f.instrument for f in facts if isinstance(f, Finding) and f.instrument},
        "subscales": {f.subscale for f in facts if isinstance(f, Finding) and f.subscale},
        "factor concepts with polarity": {(f.concept, f.polarity) for f in facts
                                          if isinstance(f, FactorReport) and f.concept},
        "designs": {f.design for f in facts if isinstance(f, DesignReport)},
    }


def suggested(candidates: list[Candidate]) -> dict[str, set[object]]:
    return {
        "components": {c.term for c in candidates if c.kind == "component"},
        "instruments": {c.instrument for c in candidates if c.kind == "finding" and c.instrument},
        "subscales": {c.subscale for c in candidates if c.kind == "finding" and c.subscale},
        "factor concepts with polarity": {(c.term, c.polarity) for c in candidates
                                          if c.kind == "factor"},
        "designs": {c.term for c in candidates if c.kind == "design"},
    }


def timings(vocab: Vocabulary, repeats: int = 5) -> str:
    """Median time of `suggest` on the review's whole text (the size of a full article) and on
    the fictional abstract of examples/, and what its two libraries cost to import."""
    article = (ROOT / "records" / "source" / "dta-integrative-review-2025.txt").read_text(
        encoding="utf-8")
    abstract = (ROOT / "examples" / "fictional-study-abstract.md").read_text(encoding="utf-8")
    figures = []
    for name, text in (("a full article (the review, 63 kB)", article),
                       ("an abstract (examples/, 1.5 kB)", abstract)):
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            suggest(text, vocab)
            runs.append(time.perf_counter() - started)
        figures.append(f"{name}: {statistics.median(runs) * 1000:.0f} ms")
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import syntok.segmenter, snowballstemmer"],
        capture_output=True, text=True, check=True).stderr.splitlines()
    cost = sum(int(line.split("|")[1]) for line in imports
               if line.startswith("import time:") and line.split("|")[2].strip()
               in ("syntok.segmenter", "snowballstemmer"))
    load = os.getloadavg()[0]
    return (f"Time of `suggest` (the library call, median of {repeats}, load average "
            f"{load:.1f}): {'; '.join(figures)}. Importing syntok and snowballstemmer, which "
            f"only `suggest` loads: {cost / 1000:.0f} ms.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="put the table into README.md")
    parser.add_argument("--min-score", type=float, default=0.0,
                        help="count only candidates with at least this score")
    args = parser.parse_args()
    project = Project.of(None, None)
    vocab = project_vocabulary(project)
    body = review_sentences()
    hits: dict[str, int] = defaultdict(int)
    want: dict[str, int] = defaultdict(int)
    got: dict[str, int] = defaultdict(int)
    misses: dict[str, list[str]] = defaultdict(list)
    false: dict[str, list[str]] = defaultdict(list)
    started, studies = time.perf_counter(), list_studies(project)
    for study in sorted(studies, key=lambda s: s.ref or 0):
        text = "\n\n".join(s for _, s in body if cites(s, study))
        candidates = [c for c in suggest(text, vocab) if c.score >= args.min_score] if text else []
        expected, found = stated(study), suggested(candidates)
        for kind in KINDS:
            hits[kind] += len(expected[kind] & found[kind])
            want[kind] += len(expected[kind])
            got[kind] += len(found[kind])
            misses[kind] += [f"{study.ref}:{x}" for x in sorted(map(str, expected[kind] - found[kind]))]
            false[kind] += [f"{study.ref}:{x}" for x in sorted(map(str, found[kind] - expected[kind]))]
    seconds = time.perf_counter() - started
    speed = timings(vocab)
    rows = []
    for kind in KINDS:
        precision = hits[kind] / got[kind] if got[kind] else 0.0
        recall = hits[kind] / want[kind] if want[kind] else 0.0
        target = TARGETS.get(kind)
        met = "" if target is None else ("met" if precision >= target[0] and recall >= target[1]
                                         else "short")
        rows.append(f"| {kind} | {want[kind]} | {got[kind]} | {hits[kind]} | {precision:.2f} | "
                    f"{recall:.2f} | {met or 'no target'} |")
    table = "\n".join(["| kind | stated | suggested | both | precision | recall | target "
                       "(P ≥ 0.7, R ≥ 0.8) |", "|---|---|---|---|---|---|---|", *rows])
    print(table)
    print(f"\n{len(studies)} studies in {seconds:.2f} s (vocabulary loaded before)")
    print(speed)
    for kind in KINDS:
        print(f"\n{kind}: missed {len(misses[kind])}: {', '.join(misses[kind])}")
        print(f"{kind}: false {len(false[kind])}: {', '.join(false[kind])}")
    if args.write:
        section = "\n".join([
            START, "## Suggestions from a study's text, measured on the review", "",
            "`python benchmarks/suggest.py --write`: for each of the 28 studies, `suggest` on "
            "the review's own sentences that cite it, against the facts the records say the "
            "review states (not the curators' inferences); micro-averaged over (study, item) "
            f"pairs, every candidate counted (minimum score {args.min_score}).", "",
            table, "",
            "Where it falls short, and what it suggests beyond what the review states (study "
            "reference: item). The vocabulary was itself coded from the review's words, so these "
            "figures are an upper bound for texts written in other words; a study's own text "
            "also names more than the review says of it, so precision on it will be lower.", "",
            *(f"- {kind}: missed {', '.join(misses[kind]) or 'none'}; suggested beyond: "
              f"{', '.join(false[kind]) or 'none'}" for kind in KINDS), "",
            speed, "", END])
        put_section(HERE / "README.md", section)


if __name__ == "__main__":
    main()
