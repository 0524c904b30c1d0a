"""The descriptions a release carries: VoID and DCAT, CITATION.cff and RO-Crate metadata,
and the check that a release folder's RO-Crate parses and names only files that exist."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import pyoxigraph

from dta_kg.core.errors import DtaKgError, RecordError
from dta_kg.core.iris import DTA, PREFIXES, RELEASE_BASE
from dta_kg.core.limits import RELEASE_FILE_BYTES, load_json, read_text_input
from dta_kg.core.registry import media_types

from .snapshot import Snapshot

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
RO_CRATE = "ro-crate-metadata.json"
RO_CONTEXT = "https://w3id.org/ro/crate/1.1/context"
# the registry's file formats, and the release's other files
MEDIA_TYPES = {**media_types(), ".csv": "text/csv", ".md": "text/markdown", ".cff": "application/x-yaml",
               ".json": "application/json", ".sh": "text/x-shellscript"}
DESCRIPTIONS = {
    "dta-kg.ttl": "The graph in Turtle: the review, its studies, their facts and the ontology.",
    "dta-kg.nt": "The graph in N-Triples.",
    "dta-kg.jsonld": "The graph in JSON-LD.",
    "context.jsonld": "The JSON-LD context of dta-kg.jsonld: prefixes and a plain term per property.",
    "dta-kg.graphml": "The property graph in GraphML (nodes with labels and properties).",
    "ontology/dta.ttl": "The dta-kg ontology, its owl:versionIRI set to this release.",
    "void.ttl": "VoID and DCAT description of the release.",
    "CITATION.cff": "How to cite this release.",
    "CHANGELOG.md": "Studies and facts added, retracted, restored or changed since the previous release.",
}


class ReleaseError(DtaKgError):
    """A release could not be written, or a release folder does not validate."""


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def void_turtle(snap: Snapshot, version: str, created: str, files: list[str], class_count: int) -> str:
    """VoID and DCAT in Turtle: the dataset, its size, licence, source, date and distributions."""
    release = f"{RELEASE_BASE}{version}"
    review = snap.review
    lines = [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()]
    lines += ["@prefix void: <http://rdfs.org/ns/void#> .", "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
              "", f"<{release}> a void:Dataset, dcat:Dataset ;",
              f'    dcterms:title "dta-kg {version}: a knowledge graph of the digital therapeutic '
              'alliance" ;',
              f'    dcterms:description "{_esc(_description(snap))}" ;',
              f'    owl:versionInfo "{version}" ;',
              f'    dcterms:created "{created}"^^xsd:date ;',
              f"    dcterms:license <{CC_BY}> ;",
              f"    dcterms:source <https://doi.org/{review.get('doi')}> ;",
              f"    void:vocabulary <{DTA}> ;",
              f"    void:triples {snap.triples} ;",
              f"    void:classes {class_count} ;",
              f"    void:entities {len(snap.studies) + len(snap.facts)} ;",
              "    void:dataDump <dta-kg.nt>, <dta-kg.ttl> ;"]
    lines += [f"    dcat:distribution <#{_frag(f)}> ;" for f in files]
    lines[-1] = lines[-1].removesuffix(" ;") + " ."
    for f in files:
        lines += ["", f"<#{_frag(f)}> a dcat:Distribution ;", f"    dcat:downloadURL <{f}> ;",
                  f'    dcat:mediaType "{media_type(Path(f))}" ;', f"    dcterms:license <{CC_BY}> ."]
    return "\n".join(lines) + "\n"


def _frag(name: str) -> str:
    return "dist-" + "".join(c if c.isalnum() else "-" for c in name)


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _description(snap: Snapshot) -> str:
    review = snap.review
    return (f"{len(snap.studies)} studies and {len(snap.facts)} facts from {review.get('title')} "
            f"(doi:{review.get('doi')}), each fact with the section and verbatim span of the review "
            "that states it.")


def citation_cff(snap: Snapshot, version: str, created: str, review_authors: list[str]) -> str:
    """CITATION.cff (Citation File Format 1.2.0) citing the release and, preferred, the review."""
    review = snap.review
    authors = "\n".join(f'  - family-names: "{a.rsplit(" ", 1)[0]}"\n'
                        f'    given-names: "{a.rsplit(" ", 1)[-1]}"' for a in review_authors)
    return f"""cff-version: 1.2.0
message: "If you use this graph, please cite the review it is built from and this release."
type: dataset
title: "dta-kg: a knowledge graph of the digital therapeutic alliance"
version: "{version}"
date-released: "{created}"
license: CC-BY-4.0
abstract: "{_esc(_description(snap))}"
authors:
  - name: "dta-kg curators"
keywords: [digital therapeutic alliance, knowledge graph, RDF, integrative review]
preferred-citation:
  type: article
  title: "{_esc(str(review.get('title')))}"
  doi: "{review.get('doi')}"
  journal: "JMIR Mental Health"
  year: {review.get('year')}
  authors:
{authors}
"""


def ro_crate(folder: Path, snap: Snapshot, version: str, created: str) -> dict:
    """RO-Crate 1.1 metadata for every file below `folder` (the metadata file itself aside)."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name != RO_CRATE)
    entities: list[dict[str, Any]] = [
        {"@id": RO_CRATE, "@type": "CreativeWork", "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
         "about": {"@id": "./"}},
        {"@id": "./", "@type": "Dataset", "name": f"dta-kg {version}",
         "description": _description(snap), "version": version, "datePublished": created,
         "license": {"@id": CC_BY}, "isBasedOn": {"@id": f"https://doi.org/{snap.review.get('doi')}"},
         "identifier": f"{RELEASE_BASE}{version}", "hasPart": [{"@id": f} for f in files]},
        {"@id": CC_BY, "@type": "CreativeWork", "name": "CC BY 4.0"},
        {"@id": f"https://doi.org/{snap.review.get('doi')}", "@type": "ScholarlyArticle",
         "name": snap.review.get("title")},
    ]
    for f in files:
        path = folder / f
        entities.append({"@id": f, "@type": "File", "name": f, "encodingFormat": media_type(path),
                         "contentSize": str(path.stat().st_size),
                         **({"description": DESCRIPTIONS[f]} if f in DESCRIPTIONS else {})})
    return {"@context": RO_CONTEXT, "@graph": entities}


def check_release(folder: Path) -> list[str]:
    """What is wrong with a release folder: its RO-Crate does not parse as JSON or JSON-LD, lacks
    the descriptor or the root dataset, or names a file that does not exist. Empty when valid."""
    problems: list[str] = []
    meta = folder / RO_CRATE
    try:
        crate = load_json(read_text_input(meta, RELEASE_FILE_BYTES, "RO-Crate metadata", ""))
    except (RecordError, ValueError) as exc:
        return [f"{meta}: does not parse as JSON ({exc})"]
    graph = crate.get("@graph") if isinstance(crate, dict) else None
    if crate.get("@context") != RO_CONTEXT or not isinstance(graph, list):
        return [f"{meta}: not RO-Crate 1.1 (needs @context {RO_CONTEXT} and an @graph list)"]
    by_id = {e.get("@id"): e for e in graph if isinstance(e, dict)}
    if by_id.get(RO_CRATE, {}).get("about") != {"@id": "./"}:
        problems.append(f"{meta}: the metadata descriptor does not point at the root dataset './'")
    parts = [p.get("@id") for p in by_id.get("./", {}).get("hasPart", [])]
    if not parts:
        problems.append(f"{meta}: the root dataset './' lists no files (hasPart)")
    for part in parts:
        if not (folder / str(part)).is_file():
            problems.append(f"{meta}: names {part}, which is not in the release")
        elif part not in by_id:
            problems.append(f"{meta}: {part} has no entity of its own")
    problems += _jsonld_problems(crate, meta)
    return problems


def _jsonld_problems(crate: dict, meta: Path) -> list[str]:
    """Parse the crate as JSON-LD with schema.org as the vocabulary in place of the remote
    RO-Crate context (the check runs offline): every entity must come out as triples."""
    local = {**crate, "@context": {"@vocab": "http://schema.org/", "@base": "file:///release/"}}
    try:
        quads = list(pyoxigraph.parse(json.dumps(local), pyoxigraph.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as exc:
        return [f"{meta}: does not parse as JSON-LD ({exc})"]
    subjects = {q.subject.value for q in quads}
    missing = [e["@id"] for e in crate["@graph"] if isinstance(e, dict) and
               not any(s.endswith(str(e["@id"]).removeprefix("./")) for s in subjects)]
    return [f"{meta}: entity {m} gives no triples" for m in missing]
