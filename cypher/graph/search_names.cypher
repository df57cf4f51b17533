// Returns the id and normalised name ("" when it has none) of every entity whose normalised
// name contains $text or whose id is $text, only of the kinds in $kinds (null: every kind).
// mode: read
// params: $text, $kinds
MATCH (n:Entity)
WHERE (n.name_key CONTAINS $text OR n.id = $text)
  AND ($kinds IS NULL OR any(label IN labels(n) WHERE label IN $kinds))
RETURN n.id AS id, coalesce(n.name_key, '') AS name_key
