// Returns the entities whose normalised name is $name_key.
// mode: read
// params: $name_key
MATCH (n:Entity {name_key: $name_key})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, properties(n) AS props
ORDER BY n.id
