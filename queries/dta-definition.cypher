// name: dta-definition
// description: How does the review define the digital therapeutic alliance, and which components does the definition encompass?
// example: dta-kg query run dta-definition
// the definition once, its components in one cell (a list, written as SPARQL's GROUP_CONCAT)
MATCH (:IntegrativeReview)-[:PROPOSES_DEFINITION]->(d:Definition)-[:DEFINES]->(:Concept)
      -[:HAS_COMPONENT]->(c:DTAComponent)
RETURN d.text AS definition, collect(c.label) AS components, d.section AS section,
       d.quote AS quote
ORDER BY definition
