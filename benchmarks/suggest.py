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
from dataclasses import dataclass, field, replace
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
KINDS = ("components", "instruments", "subscales", "factor concepts with polarity", "designs",
         "reported figures")
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
        "reported figures": {(f.result.value, f.result.kind) for f in facts
                             if isinstance(f, Finding) and f.result},
    }


def suggested(candidates: list[Candidate]) -> dict[str, set[object]]:
    return {
        "components": {c.term for c in candidates if c.kind == "component"},
        "instruments": {c.instrument for c in candidates if c.kind == "finding" and c.instrument},
        "subscales": {c.subscale for c in candidates if c.kind == "finding" and c.subscale},
        "factor concepts with polarity": {(c.term, c.polarity) for c in candidates
                                          if c.kind == "factor"},
        "designs": {c.term for c in candidates if c.kind == "design"},
        "reported figures": {(c.result.value, c.result.kind) for c in candidates
                             if c.kind == "finding" and c.result},
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


@dataclass
class Score:
    """Counts per kind over every (study, item) pair, with the pairs missed and added."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    want: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    got: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    false: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def table(self) -> str:
        rows = []
        for kind in KINDS:
            hits, got, want = self.hits[kind], self.got[kind], self.want[kind]
            precision = hits / got if got else 0.0
            recall = hits / want if want else 0.0
            target = TARGETS.get(kind)
            met = "no target" if target is None else (
                "met" if precision >= target[0] and recall >= target[1] else "short")
            rows.append(f"| {kind} | {want} | {got} | {hits} | {precision:.2f} | {recall:.2f} "
                        f"| {met} |")
        return "\n".join(["| kind | stated | suggested | both | precision | recall | target "
                          "(P ≥ 0.7, R ≥ 0.8) |", "|---|---|---|---|---|---|---|", *rows])


def measure(studies: list[Study], body: list[tuple[str, str]], vocab: Vocabulary,
            min_score: float) -> Score:
    """Suggest on each study's citing sentences and compare with what the review states."""
    score = Score()
    for study in sorted(studies, key=lambda s: s.ref or 0):
        text = "\n\n".join(s for _, s in body if cites(s, study))
        candidates = [c for c in suggest(text, vocab) if c.score >= min_score] if text else []
        expected, found = stated(study), suggested(candidates)
        for kind in KINDS:
            score.hits[kind] += len(expected[kind] & found[kind])
            score.want[kind] += len(expected[kind])
            score.got[kind] += len(found[kind])
            score.misses[kind] += [f"{study.ref}:{x}"
                                   for x in sorted(map(str, expected[kind] - found[kind]))]
            score.false[kind] += [f"{study.ref}:{x}"
                                  for x in sorted(map(str, found[kind] - expected[kind]))]
    return score


def labels_only(vocab: Vocabulary) -> Vocabulary:
    """The vocabulary without its alternative labels (acronyms kept), to show how much the
    alternative labels, many of them taken from the review's words, carry."""
    return Vocabulary([replace(t, alt_labels=tuple(a for a in t.alt_labels if a.isupper()))
                       for t in vocab.terms.values()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="put the table into README.md")
    parser.add_argument("--min-score", type=float, default=0.0,
                        help="count only candidates with at least this score")
    args = parser.parse_args()
    project = Project.of(None, None)
    vocab = project_vocabulary(project)
    body = review_sentences()
    studies = list_studies(project)
    started = time.perf_counter()
    full = measure(studies, body, vocab, args.min_score)
    seconds = time.perf_counter() - started
    bare = measure(studies, body, labels_only(vocab), args.min_score)
    speed = timings(vocab)
    print(full.table())
    print("\nwith labels and acronyms only:\n" + bare.table())
    print(f"\n{len(studies)} studies in {seconds:.2f} s (vocabulary loaded before)")
    print(speed)
    for kind in KINDS:
        print(f"\n{kind}: missed {len(full.misses[kind])}: {', '.join(full.misses[kind])}")
        print(f"{kind}: false {len(full.false[kind])}: {', '.join(full.false[kind])}")
    if args.write:
        section = "\n".join([
            START, "## Suggestions from a study's text, measured on the review", "",
            "`python benchmarks/suggest.py --write`: for each of the 28 studies, `suggest` on "
            "the review's own sentences that cite it, against the facts the records say the "
            "review states (not the curators' inferences); micro-averaged over (study, item) "
            f"pairs, every candidate counted (minimum score {args.min_score}).", "",
            full.table(), "",
            "The vocabulary's alternative labels were coded from the review's own words, so the "
            "figures above are an upper bound for texts written in other words. The same run "
            "with the labels (and acronyms) alone, without any alternative label:", "",
            bare.table(), "",
            "A study's own text also names more than the review says of it, so precision on it "
            "will be lower. Where the full run falls short, and what it suggests beyond what "
            "the review states (study reference: item); a sentence citing several studies "
            "gives each of them all it names:", "",
            *(f"- {kind}: missed {', '.join(full.misses[kind]) or 'none'}; suggested beyond: "
              f"{', '.join(full.false[kind]) or 'none'}" for kind in KINDS), "",
            speed, "", END])
        put_section(HERE / "README.md", section)


if __name__ == "__main__":
    main()
