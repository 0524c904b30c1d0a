// name: studies-by-year
// description: Which studies were published in a range of years?
// param: year_from (integer, optional): first publication year
// param: year_to (integer, optional): last publication year
// param: include_retracted (boolean, default: false): also list retracted studies
// param: scope (scope, default: all): which studies: review (included by the review), living (added after it) or all
// example: dta-kg query run studies-by-year -p year_from=2024
MATCH (s:Study)
WITH s, CAST(s.year AS INT64) AS year
WHERE year >= coalesce($year_from, year) AND year <= coalesce($year_to, year)
  AND ($scope = 'all' OR s.studyScope = $scope)
  AND ($include_retracted OR coalesce(s.retracted, false) = false)
RETURN s.shortCitation AS short_citation, year, s.doi AS doi, s.studyScope AS study_set, s.title AS title,
       s.basisRank AS basis_rank
ORDER BY year, short_citation
