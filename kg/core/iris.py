"""Namespaces and the minting of stable, flat IRIs (never derived from file order)."""

from __future__ import annotations

import re
import unicodedata

from dta_kg.core.errors import DtaKgError

BASE = "https://w3id.org/dta-kg/"  # every IRI dta-kg mints starts here
ONTOLOGY_IRI = BASE + "ontology"  # the owl:Ontology; its versions add /X.Y.Z
DTA = ONTOLOGY_IRI + "#"
DTAR = BASE + "id/"  # instances: studies, facts, evidence, agents, venues
SHAPES_IRI = BASE + "shapes"  # the SHACL shapes graph; its shapes are SHAPES_IRI#Name
CONTEXT_URL = BASE + "context.jsonld"  # where the JSON-LD context is published
RELEASE_BASE = BASE + "release/"  # a release is RELEASE_BASE + X.Y.Z
PREFIXES = {
    "dta": DTA,
    "dtar": DTAR,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "cito": "http://purl.org/spar/cito/",
    "fabio": "http://purl.org/spar/fabio/",
    "bibo": "http://purl.org/ontology/bibo/",
    "sh": "http://www.w3.org/ns/shacl#",
}
REVIEW_DOI = "10.2196/69294"
DEFAULT_GRAPH_IRI = BASE + "graph"  # the named graph the build is stored under

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")  # as Crossref gives it; SHACL checks the same
# an absolute IRI as N-Triples writes it: a scheme, then none of the characters IRIREF forbids
IRI_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")


def is_iri(value: str) -> bool:
    """True when `value` can be written as an N-Triples IRI (`<...>`)."""
    return IRI_PATTERN.fullmatch(value) is not None


_NOT_IN_IRI = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")


def check_graph_iri(value: str) -> str:
    """`value` when it can name a graph (an IRI: no spaces, control characters or <>"{}|\\^`);
    otherwise a DtaKgError, so it can be written into a query or a script as it is."""
    bad = _NOT_IN_IRI.search(value)
    if not value or bad or ":" not in value:
        what = f"character {bad.group()!r}" if bad else "no scheme"
        raise DtaKgError(f"--graph {value!r} is not an IRI ({what}); give one such as "
                         "https://w3id.org/dta-kg/graph")
    return value


def slug(text: str) -> str:
    """Lower-case `text` and turn every run of other characters into one hyphen."""
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


def file_stem(name: str, doi: str) -> str:
    """`name` as a file name: its letters without accents; a name with no Latin letters
    (Cyrillic, CJK, ...) gives way to the DOI's suffix, so no file is named '-2025.yaml'."""
    latin = slug(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    return latin or "doi-" + slug(normalise_doi(doi).partition("/")[2])[:40].strip("-")


def normalise_doi(value: str) -> str:
    """Strip resolver prefixes and white space from a DOI and fold its case."""
    doi = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
            break
    return doi.strip().lower()


def term(local: str) -> str:
    """The IRI of an ontology term or vocabulary individual."""
    return DTA + local


def expand(curie: str) -> str:
    """The IRI of a CURIE of a known prefix ('dta:component', 'bibo:doi')."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def study_iri(doi: str) -> str:
    return f"{DTAR}study-{slug(normalise_doi(doi))}"


def candidate_iri(candidate: str) -> str:
    return f"{DTAR}candidate-{slug(candidate)}"


def search_run_iri(run: str) -> str:
    return f"{DTAR}search-{slug(run)}"


def fact_iri(doi: str, fact_id: str) -> str:
    return f"{DTAR}fact-{slug(normalise_doi(doi))}-{slug(fact_id)}"


def review_iri(doi: str = REVIEW_DOI) -> str:
    return f"{DTAR}review-{slug(doi)}"


def venue_iri(venue: str) -> str:
    return f"{DTAR}venue-{slug(venue)}"


def agent_iri(name: str) -> str:
    return f"{DTAR}agent-{slug(name)}"


def local_name(iri: str) -> str:
    """The part of an IRI after its namespace ('#' or the last '/')."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[cut + 1:]
