// name: studies-by-theme
// description: Which studies report a facilitator or barrier under a factor theme (accessibility and anonymity, technical reliability, ...)?
// param: theme (theme): a factor theme, by id or label
// param: polarity (polarity, optional): facilitator or barrier
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-theme -p theme="accessibility and anonymity"
MATCH (s:Study)<-[:ABOUT_STUDY]-(r:FactorReport)-[:THEME]->(t:FactorTheme),
      (r)-[:HAS_POLARITY]->(p:Polarity)
WHERE t.iri = $theme
  AND ($include_retracted OR coalesce(r.retracted, false) = false)
  AND (coalesce($polarity, '') = '' OR p.iri = $polarity)
  AND ($scope = 'all' OR s.studyScope = $scope)
OPTIONAL MATCH (r)-[:FACTOR_CONCEPT]->(c:FactorConcept)
RETURN DISTINCT s.shortCitation AS short_citation, s.doi AS doi, s.studyScope AS study_set,
       r.label AS factor_label, c.prefLabel AS factor_concept, p.label AS factor_polarity,
       r.basisRank AS basis_rank
ORDER BY short_citation, factor_label
