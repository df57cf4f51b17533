// Returns the relationships, or only those of type $type (null: every type), by key, the
// $limit of them after the first $offset.
// graph/find_edges_from and graph/find_edges_to answer when an end is given.
// mode: read
// params: $type, $offset, $limit
MATCH (a:Entity)-[r]->(b:Entity)
WHERE $type IS NULL OR type(r) = $type
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
ORDER BY r.key
SKIP $offset LIMIT $limit
