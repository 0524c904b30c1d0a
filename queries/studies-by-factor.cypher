// name: studies-by-factor
// description: Which studies report a facilitator or barrier, matched by its factor concept (labels, synonyms, narrower factors) or by the review's own words for it, never by its theme?
// param: factor (factor): words of a factor's label or synonym, or of the review's wording of it (anonymity, empathic, privacy, ...)
// param: polarity (polarity, optional): facilitator or barrier
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-factor -p factor=empathy -p polarity=facilitator
// A report matches by its own label, or by a factor concept at or above its own whose label
// or synonym holds the words. A theme's name is never matched (studies-by-theme does that).
// the factor concepts whose label or synonym holds the words
// (the words property holds each name's lower-case words framed by spaces, set by the build)
OPTIONAL MATCH (m:FactorConcept) WHERE m.words CONTAINS $factor
WITH collect(DISTINCT m.iri) AS matched
MATCH (s:Study)<-[:ABOUT_STUDY]-(r:FactorReport)-[:HAS_POLARITY]->(p:Polarity),
      (r)-[:THEME]->(t:FactorTheme)
WHERE (r.words CONTAINS $factor
       OR EXISTS { MATCH (r)-[:FACTOR_CONCEPT]->(:FactorConcept)-[:BROADER*0..10]->(up:FactorConcept)
                   WHERE up.iri IN matched })
  AND ($include_retracted OR coalesce(r.retracted, false) = false)
  AND (coalesce($polarity, '') = '' OR p.iri = $polarity)
  AND ($scope = 'all' OR s.studyScope = $scope)
OPTIONAL MATCH (r)-[:FACTOR_CONCEPT]->(c:FactorConcept)
RETURN DISTINCT s.shortCitation AS short_citation, s.doi AS doi, s.studyScope AS study_set,
       r.label AS factor_label, c.prefLabel AS factor_concept, p.label AS factor_polarity,
       t.label AS factor_theme, r.basisRank AS basis_rank
ORDER BY short_citation, factor_label
