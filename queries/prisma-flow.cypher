// name: prisma-flow
// description: What does the review state at each step of its PRISMA flow, from records identified to studies included?
// example: dta-kg query run prisma-flow
MATCH (claim:ReviewClaim)-[:CLAIM_KIND]->(k:ClaimKind)
WHERE k.label STARTS WITH 'PRISMA'
RETURN k.label AS step, CAST(claim.claimedValue AS INT64) AS value, claim.quote AS quote
ORDER BY value DESC, step
