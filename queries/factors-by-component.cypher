// name: factors-by-component
// description: How many facilitators and how many barriers do the studies report for each component (every factor counts for facilitators and barriers)?
// param: include_retracted (boolean, default: false): also count retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run factors-by-component
MATCH (c:DTAComponent)
OPTIONAL MATCH (r:FactorReport)-[:HAS_POLARITY]->(p:Polarity), (r)-[:ABOUT_STUDY]->(s:Study)
WHERE (EXISTS { MATCH (r)-[:INFORMS_COMPONENT]->(c) } OR EXISTS { MATCH (r)-[:AFFECTS_COMPONENT]->(c) })
  AND ($include_retracted OR coalesce(r.retracted, false) = false)
  AND ($scope = 'all' OR s.studyScope = $scope)
RETURN c.label AS component,
       sum(CASE WHEN p.iri = 'https://w3id.org/dta-kg/ontology#facilitator' THEN 1 ELSE 0 END) AS facilitators,
       sum(CASE WHEN p.iri = 'https://w3id.org/dta-kg/ontology#barrier' THEN 1 ELSE 0 END) AS barriers,
       count(DISTINCT s) AS studies
ORDER BY component
