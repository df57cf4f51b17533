// Returns how many relationships start at the entity $source, optionally only of type
// $type and only to the entity $target (null: any): the total of graph/find_edges_from.
// mode: read
// params: $source, $type, $target
MATCH (:Entity {id: $source})-[r]->(b:Entity)
WHERE ($type IS NULL OR type(r) = $type) AND ($target IS NULL OR b.id = $target)
RETURN count(r) AS count
