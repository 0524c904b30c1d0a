// name: study-evidence
// description: What is the evidence behind one study: every fact about it with its quoted span and section of the review?
// param: study (study): the study's DOI
// param: include_retracted (boolean, default: false): also list retracted facts
// example: dta-kg query run study-evidence -p study=10.3389/fdgth.2022.847991
MATCH (f)-[:ABOUT_STUDY]->(s:Study)
WHERE s.iri = $study AND ($include_retracted OR coalesce(f.retracted, false) = false)
RETURN label(f) AS kind, f.factId AS fact, f.section AS section, f.quote AS quote,
       f.inferred AS inferred, f.basisRank AS basis_rank, coalesce(f.retracted, false) AS retracted
ORDER BY kind, fact
