// Returns every relationship, or only those of type $type (null: every type).
// graph/find_edges_from and graph/find_edges_to answer when an end is given.
// mode: read
// params: $type
MATCH (a:Entity)-[r]->(b:Entity)
WHERE $type IS NULL OR type(r) = $type
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
