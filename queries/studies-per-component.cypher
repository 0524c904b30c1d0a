// name: studies-per-component
// description: How many of the review's own studies does the curated data have per component, next to the count the review states (studies added later are not counted)?
// param: include_retracted (boolean, default: false): also count retracted facts
// example: dta-kg query run studies-per-component
MATCH (c:DTAComponent)
OPTIONAL MATCH (c)<-[:INFORMS_COMPONENT]-(f)-[:ABOUT_STUDY]->(s:Study)
WHERE ($include_retracted OR coalesce(f.retracted, false) = false) AND s.studyScope = 'review'
WITH c, count(DISTINCT s) AS curated
OPTIONAL MATCH (c)<-[:CLAIM_ABOUT]-(claim:ReviewClaim)-[:CLAIM_KIND]->(k:ClaimKind)
WHERE k.iri = 'https://w3id.org/dta-kg/ontology#studies-per-component'
RETURN c.label AS component, curated, CAST(claim.claimedValue AS INT64) AS stated
ORDER BY component
