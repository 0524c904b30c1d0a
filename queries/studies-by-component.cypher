// name: studies-by-component
// description: Which studies report a DTA component (goal alignment, task agreement, therapeutic bond, user engagement, facilitators and barriers)?
// param: component (component): the component, by id, label or alternative label
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-component -p component="task agreement"
MATCH (s:Study)<-[:ABOUT_STUDY]-(f)-[:INFORMS_COMPONENT]->(c:DTAComponent)
WHERE c.iri = $component AND ($include_retracted OR coalesce(f.retracted, false) = false)
WITH s, max(f.basisRank) AS basis_rank
WHERE $scope = 'all' OR s.studyScope = $scope
RETURN s.shortCitation AS short_citation, CAST(s.year AS INT64) AS year, s.doi AS doi,
       s.studyScope AS study_set, basis_rank
ORDER BY year, short_citation
