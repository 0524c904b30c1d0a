// name: dta-definition
// description: How does the review define the digital therapeutic alliance, and which components does the definition encompass?
// example: dta-kg query run dta-definition
MATCH (:IntegrativeReview)-[:PROPOSES_DEFINITION]->(d:Definition)-[:DEFINES]->(:Concept)
      -[:HAS_COMPONENT]->(c:DTAComponent)
RETURN d.text AS definition, c.label AS component, d.section AS section, d.quote AS quote
ORDER BY component
