// Returns the entities with the given ids as one row holding a list of maps: id, kind and
// all properties (one record for the driver to decode, not one per entity).
// mode: read
// params: $ids
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN collect({id: n.id, kind: [l IN labels(n) WHERE l <> 'Entity'][0],
                props: properties(n)}) AS nodes
