// name: measures-by-component
// description: Which instruments, subscales, engagement metrics and goal-setting frameworks measure each component?
// param: component (component, optional): only this component
// example: dta-kg query run measures-by-component -p component=engagement
MATCH (m)-[:MEASURES_COMPONENT]->(c:DTAComponent)
WHERE coalesce($component, '') = '' OR c.iri = $component
OPTIONAL MATCH (m)-[:SUBSCALE_OF]->(i:Instrument)
RETURN c.label AS component_label, m.label AS measure, label(m) AS kind, i.label AS instrument
ORDER BY component_label, kind, measure
