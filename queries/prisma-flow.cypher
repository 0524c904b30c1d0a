// name: prisma-flow
// description: What does the review state at each step of its PRISMA flow, from records identified to studies included?
// example: dta-kg query run prisma-flow
// steps in the order of the flow; the reasons for exclusion after the exclusion they explain
MATCH (claim:ReviewClaim)-[:CLAIM_KIND]->(k:ClaimKind)
WITH claim, k,
     CASE k.iri
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-records-identified' THEN 1
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-duplicates-removed' THEN 2
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-records-screened' THEN 3
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-excluded-at-screening' THEN 4
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-excluded-population' THEN 5
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-excluded-no-intervention' THEN 6
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-full-text-assessed' THEN 7
       WHEN 'https://w3id.org/dta-kg/ontology#prisma-included' THEN 8
     END AS position
WHERE position IS NOT NULL
RETURN k.label AS step, CAST(claim.claimedValue AS INT64) AS value, claim.quote AS quote
ORDER BY position
