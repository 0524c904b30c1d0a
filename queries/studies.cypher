// name: studies
// description: Which studies match every filter given: component, instrument, factor, factor theme, polarity, intervention type, design, years, set?
// param: component (component, optional): a DTA component the study reports
// param: instrument (measure, optional): an instrument, subscale or metric the study uses (for that component, when one is given)
// param: factor (factor, optional): words of a facilitator or barrier the study reports: of its factor concept (labels, synonyms, narrower factors) or of the review's wording, not of its theme
// param: theme (theme, optional): a factor theme of a facilitator or barrier the study reports
// param: polarity (polarity, optional): facilitator or barrier (of that factor or theme, when one is given)
// param: intervention_type (intervention-type, optional): the study's intervention theme
// param: design (design, optional): the study's design
// param: year_from (integer, optional): first publication year
// param: year_to (integer, optional): last publication year
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies -p component=bond -p instrument=WAI-SR
// if factor
// the factor concepts whose label or synonym holds the words
// (the words property holds each name's lower-case words framed by spaces, set by the build)
OPTIONAL MATCH (m:FactorConcept) WHERE m.words CONTAINS $factor
WITH collect(DISTINCT m.iri) AS matched
// end
MATCH (s:Study)
WHERE ($include_retracted OR coalesce(s.retracted, false) = false)
  AND ($scope = 'all' OR s.studyScope = $scope)
// unless instrument
// if component
// (with an instrument, its finding already reports the component: not matched again)
MATCH (s)<-[:ABOUT_STUDY]-(c)-[:INFORMS_COMPONENT]->(x:DTAComponent)
WHERE x.iri = $component AND ($include_retracted OR coalesce(c.retracted, false) = false)
WITH *, c.basisRank AS component_rank
// end
// end
// if instrument
MATCH (s)<-[:ABOUT_STUDY]-(m)-[:USES_MEASURE|USES_SUBSCALE]->(y)
WHERE y.iri = $instrument AND ($include_retracted OR coalesce(m.retracted, false) = false)
// if component
MATCH (m)-[:INFORMS_COMPONENT]->(z:DTAComponent)
WHERE z.iri = $component
// end
WITH *, m.basisRank AS instrument_rank
// end
// if factor
MATCH (s)<-[:ABOUT_STUDY]-(r:FactorReport)
WHERE (r.words CONTAINS $factor
       OR EXISTS { MATCH (r)-[:FACTOR_CONCEPT]->(:FactorConcept)-[:BROADER*0..10]->(up:FactorConcept)
                   WHERE up.iri IN matched })
  AND ($include_retracted OR coalesce(r.retracted, false) = false)
WITH *, r.basisRank AS factor_rank
// end
// if theme
MATCH (s)<-[:ABOUT_STUDY]-(r:FactorReport)-[:THEME]->(t:FactorTheme)
WHERE t.iri = $theme AND ($include_retracted OR coalesce(r.retracted, false) = false)
WITH *, r.basisRank AS theme_rank
// end
// if polarity
MATCH (s)<-[:ABOUT_STUDY]-(r:FactorReport)-[:HAS_POLARITY]->(p:Polarity)
WHERE p.iri = $polarity AND ($include_retracted OR coalesce(r.retracted, false) = false)
WITH *, r.basisRank AS polarity_rank
// end
// if intervention_type
MATCH (s)<-[:ABOUT_STUDY]-(i:InterventionReport)-[:INTERVENTION_TYPE]->(v:InterventionType)
WHERE v.iri = $intervention_type AND ($include_retracted OR coalesce(i.retracted, false) = false)
WITH *, i.basisRank AS intervention_rank
// end
// if design
MATCH (s)<-[:ABOUT_STUDY]-(d:DesignReport)-[:DESIGN]->(g:StudyDesign)
WHERE g.iri = $design AND ($include_retracted OR coalesce(d.retracted, false) = false)
WITH *, d.basisRank AS design_rank
// end
// the weakest of the facts each match rests on, then the best match of each study
WITH s, CAST(s.year AS INT64) AS year, [s.basisRank
// unless instrument
// if component
  , component_rank
// end
// end
// if instrument
  , instrument_rank
// end
// if factor
  , factor_rank
// end
// if theme
  , theme_rank
// end
// if polarity
  , polarity_rank
// end
// if intervention_type
  , intervention_rank
// end
// if design
  , design_rank
// end
  ] AS ranks
WHERE year >= coalesce($year_from, year) AND year <= coalesce($year_to, year)
UNWIND ranks AS one
WITH s, year, ranks, min(one) AS match_rank
WITH s, year, max(match_rank) AS basis_rank
RETURN s.shortCitation AS short_citation, year, s.doi AS doi, s.studyScope AS study_set, s.title AS title,
       basis_rank
ORDER BY year, short_citation, doi
