// Returns every entity, or only those of the kinds in $kinds (null: every kind).
// mode: read
// params: $kinds
MATCH (n:Entity)
WITH n, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind
WHERE $kinds IS NULL OR kind IN $kinds
RETURN n.id AS id, kind, properties(n) AS props
