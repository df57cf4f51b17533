// Returns the relationships that start at the entity $source, optionally only of type $type
// and only to the entity $target (null: any), by key, the $limit of them after the first
// $offset.
// mode: read
// params: $source, $type, $target, $offset, $limit
MATCH (a:Entity {id: $source})-[r]->(b:Entity)
WHERE ($type IS NULL OR type(r) = $type) AND ($target IS NULL OR b.id = $target)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
ORDER BY r.key
SKIP $offset LIMIT $limit
