// name: screening-flow
// description: How many records are at each step of the living review's PRISMA 2020 flow, counted from the screening records (identified per database, duplicates, screened, excluded with reasons, reports sought, not retrieved, assessed, excluded with reasons, included)?
// example: dta-kg query run screening-flow
// each candidate names the steps it counts in; a report is sought when its title and abstract
// are included (or maybe), and counted at full text only then; a full-text exclusion for
// "not-retrieved" is a report not retrieved. Steps no record reaches are left out, but for the
// records identified, which are counted (0) before the first search run.
MATCH (living:LivingReview)
OPTIONAL MATCH (c:ScreeningCandidate)-[:WAS_GENERATED_BY]->(run:SearchRun)
OPTIONAL MATCH (c)-[:TITLE_ABSTRACT_EXCLUSION_REASON]->(tr:ExclusionReason)
OPTIONAL MATCH (c)-[:FULL_TEXT_EXCLUSION_REASON]->(fr:ExclusionReason)
WITH c, run, tr, fr, coalesce(c.titleAbstractOutcome IN ['include', 'maybe'], false) AS sought,
     coalesce(fr.identifier = 'not-retrieved', false) AS missing
UNWIND ['records identified',
        CASE WHEN run IS NOT NULL THEN 'records identified: ' + run.searchDatabase END,
        CASE WHEN c.duplicateRule IS NOT NULL THEN 'duplicates removed' END,
        CASE WHEN c.titleAbstractOutcome <> 'conflict' THEN 'records screened' END,
        CASE WHEN c.titleAbstractOutcome = 'exclude' THEN 'records excluded' END,
        CASE WHEN c.titleAbstractOutcome = 'exclude' AND tr IS NOT NULL
             THEN 'records excluded: ' + tr.prefLabel END,
        CASE WHEN sought THEN 'reports sought for retrieval' END,
        CASE WHEN sought AND c.fullTextOutcome = 'exclude' AND missing
             THEN 'reports not retrieved' END,
        CASE WHEN sought AND c.fullTextOutcome IN ['include', 'exclude'] AND NOT missing
             THEN 'reports assessed for eligibility' END,
        CASE WHEN sought AND c.fullTextOutcome = 'exclude' AND fr IS NOT NULL AND NOT missing
             THEN 'reports excluded: ' + fr.prefLabel END,
        CASE WHEN sought AND c.fullTextOutcome = 'include' THEN 'studies included' END] AS step
WITH step, c WHERE step IS NOT NULL
WITH step, count(c) AS value
WITH step, value,
     CASE WHEN step = 'records identified' THEN 1
          WHEN step STARTS WITH 'records identified: ' THEN 2
          WHEN step = 'duplicates removed' THEN 3
          WHEN step = 'records screened' THEN 4
          WHEN step = 'records excluded' THEN 5
          WHEN step STARTS WITH 'records excluded: ' THEN 6
          WHEN step = 'reports sought for retrieval' THEN 7
          WHEN step = 'reports not retrieved' THEN 8
          WHEN step = 'reports assessed for eligibility' THEN 9
          WHEN step STARTS WITH 'reports excluded: ' THEN 10
          ELSE 11 END AS position
RETURN position, step, value
ORDER BY position, step
