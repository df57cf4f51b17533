// Returns, as one list, the ids among $ids that an entity already has: a write creates the
// others outright (write/create_nodes) and upserts only these (write/upsert_nodes).
// mode: read
// params: $ids
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN collect(n.id) AS ids
