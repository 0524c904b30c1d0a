// name: studies-per-intervention-theme
// description: How many of the review's own studies does the curated data have per intervention theme, next to the count the review states (studies added later are not counted)?
// param: include_retracted (boolean, default: false): also count retracted facts
// example: dta-kg query run studies-per-intervention-theme
MATCH (t:InterventionType)
OPTIONAL MATCH (t)<-[:INTERVENTION_TYPE]-(r:InterventionReport)-[:ABOUT_STUDY]->(s:Study)
WHERE ($include_retracted OR coalesce(r.retracted, false) = false) AND s.studyScope = 'review'
WITH t, count(DISTINCT s) AS curated
OPTIONAL MATCH (t)<-[:CLAIM_ABOUT]-(claim:ReviewClaim)-[:CLAIM_KIND]->(k:ClaimKind)
WHERE k.iri = 'https://w3id.org/dta-kg/ontology#studies-per-intervention-theme'
RETURN t.label AS theme, curated, CAST(claim.claimedValue AS INT64) AS stated
ORDER BY stated DESC, theme
