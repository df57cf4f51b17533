// Returns the entities with the given ids: id, kind and all properties.
// mode: read
// params: $ids
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, properties(n) AS props
