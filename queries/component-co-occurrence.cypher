// name: component-co-occurrence
// description: Which components appear together in the same studies, and in how many?
// param: include_retracted (boolean, default: false): also use retracted facts
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run component-co-occurrence
MATCH (c:DTAComponent)<-[:INFORMS_COMPONENT]-(f)-[:ABOUT_STUDY]->(s:Study)
WHERE ($include_retracted OR coalesce(f.retracted, false) = false)
  AND ($scope = 'all' OR s.studyScope = $scope)
WITH s, collect(DISTINCT c.label) AS components
UNWIND components AS component_a
UNWIND components AS component_b
WITH component_a, component_b, s
WHERE component_a < component_b
RETURN component_a, component_b, count(s) AS studies
ORDER BY studies DESC, component_a, component_b
