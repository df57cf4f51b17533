// Returns the relationships that start or end at the entity $id, each once, in the order
// of the show document (type, source id, target id, key): the $limit of them after the
// first $offset.
// mode: read
// params: $id, $offset, $limit
MATCH (n:Entity {id: $id})-[r]-(:Entity)
WITH DISTINCT r
WITH r, startNode(r).id AS source, endNode(r).id AS target
RETURN source, type(r) AS type, target, properties(r) AS props
ORDER BY type, source, target, r.key
SKIP $offset LIMIT $limit
