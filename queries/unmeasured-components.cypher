// name: unmeasured-components
// description: Which components does no instrument or subscale measure?
// example: dta-kg query run unmeasured-components
MATCH (c:DTAComponent)
WHERE NOT EXISTS { MATCH (:Instrument)-[:MEASURES_COMPONENT]->(c) }
  AND NOT EXISTS { MATCH (:Subscale)-[:MEASURES_COMPONENT]->(c) }
RETURN c.label AS component, c.definition AS definition
ORDER BY component
