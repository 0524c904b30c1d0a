// name: studies-by-instrument
// description: Which studies use an instrument, subscale or engagement metric, and for which component?
// param: instrument (measure): the instrument, subscale, metric or framework (WAI-SR, UES, messages sent, ...)
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-instrument -p instrument=WAI-SR
MATCH (s:Study)<-[:ABOUT_STUDY]-(f:Finding)-[:USES_MEASURE|USES_SUBSCALE]->(m),
      (f)-[:COMPONENT]->(c:DTAComponent)
WHERE m.iri = $instrument AND ($scope = 'all' OR s.studyScope = $scope) AND ($include_retracted OR coalesce(f.retracted, false) = false)
OPTIONAL MATCH (f)-[:USES_SUBSCALE]->(sub:Subscale)
WITH s, c.label AS component, sub.label AS subscale, max(f.basisRank) AS basis_rank
RETURN s.shortCitation AS short_citation, CAST(s.year AS INT64) AS year, s.doi AS doi,
       s.studyScope AS study_set, component, subscale, basis_rank
ORDER BY year, short_citation, component
