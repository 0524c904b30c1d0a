// name: studies-by-factor
// description: Which studies report a facilitator or barrier, matched by the words of its label or theme?
// param: factor (factor): words of the factor label or of its theme (anonymity, empathic, privacy, ...)
// param: polarity (polarity, optional): facilitator or barrier
// param: include_retracted (boolean, default: false): also use retracted facts
// example: dta-kg query run studies-by-factor -p factor=empathy -p polarity=facilitator
// The words are matched once per distinct label and per theme, not once per factor report.
MATCH (x:FactorReport)
WITH DISTINCT x.label AS name
WHERE (' ' + regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g') + ' ') CONTAINS $factor
WITH collect(name) AS names
MATCH (t:FactorTheme)
WITH names, t, (' ' + regexp_replace(lower(t.label), '[^a-z0-9]+', ' ', 'g') + ' ') CONTAINS $factor AS themed
MATCH (r:FactorReport)-[:THEME]->(t)
WHERE (themed OR r.label IN names)
  AND ($include_retracted OR coalesce(r.retracted, false) = false)
WITH r, t
MATCH (s:Study)<-[:ABOUT_STUDY]-(r)-[:HAS_POLARITY]->(p:Polarity)
WHERE coalesce($polarity, '') = '' OR p.iri = $polarity
RETURN s.shortCitation AS shortCitation, s.doi AS doi, r.label AS factorLabel,
       p.label AS factorPolarity, t.label AS factorTheme
ORDER BY shortCitation, factorLabel
