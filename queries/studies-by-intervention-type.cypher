// name: studies-by-intervention-type
// description: Which studies examine an intervention of a given theme (AI-powered chatbots, digital psychotherapy, ...)?
// param: intervention_type (intervention-type): the intervention theme
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-intervention-type -p intervention_type="AI-powered chatbots"
MATCH (s:Study)<-[:ABOUT_STUDY]-(r:InterventionReport)-[:INTERVENTION_TYPE]->(t:InterventionType)
WHERE t.iri = $intervention_type AND ($scope = 'all' OR s.studyScope = $scope) AND ($include_retracted OR coalesce(r.retracted, false) = false)
RETURN s.shortCitation AS short_citation, CAST(s.year AS INT64) AS year, s.doi AS doi,
       s.studyScope AS study_set, r.interventionName AS intervention, r.basisRank AS basis_rank
ORDER BY year, short_citation
