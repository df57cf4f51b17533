// Returns the relationships that end at the entity $target, optionally only of type $type
// (null: any), by key, the $limit of them after the first $offset.
// mode: read
// params: $type, $target, $offset, $limit
MATCH (a:Entity)-[r]->(b:Entity {id: $target})
WHERE $type IS NULL OR type(r) = $type
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
ORDER BY r.key
SKIP $offset LIMIT $limit
