// Returns the ids of every entity of the kinds in $kinds (null: every kind).
// mode: read
// params: $kinds
MATCH (n:Entity)
WHERE $kinds IS NULL OR any(label IN labels(n) WHERE label IN $kinds)
RETURN n.id AS id
