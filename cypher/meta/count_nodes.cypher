// Returns the number of entities of each kind.
// mode: read
// params: none
MATCH (n:Entity)
UNWIND [l IN labels(n) WHERE l <> 'Entity'] AS kind
RETURN kind, count(*) AS count
