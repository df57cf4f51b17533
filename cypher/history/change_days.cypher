// Returns every day on which something was recorded or closed, as one list.
// mode: read
// params: none
CALL () {
  MATCH (n:Entity) RETURN n._rec_from AS day
  UNION
  MATCH (:Entity)-[r]->(:Entity) RETURN r._rec_from AS day
  UNION
  MATCH (v:NodeVersion) UNWIND [v._rec_from, v._rec_to] AS day RETURN day
  UNION
  MATCH (v:EdgeVersion) UNWIND [v._rec_from, v._rec_to] AS day RETURN day
}
WITH day WHERE day IS NOT NULL
RETURN collect(DISTINCT day) AS days
