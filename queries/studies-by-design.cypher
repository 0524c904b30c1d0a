// name: studies-by-design
// description: Which studies have a given design (randomised controlled trial, mixed methods, qualitative study, ...)?
// param: design (design): the study design
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-design -p design="randomised controlled trial"
MATCH (s:Study)<-[:ABOUT_STUDY]-(r:DesignReport)-[:DESIGN]->(d:StudyDesign)
WHERE d.iri = $design AND ($include_retracted OR coalesce(r.retracted, false) = false)
WITH s, max(r.basisRank) AS basis_rank
WHERE $scope = 'all' OR s.studyScope = $scope
RETURN s.shortCitation AS short_citation, CAST(s.year AS INT64) AS year, s.doi AS doi,
       s.studyScope AS study_set, basis_rank
ORDER BY year, short_citation
