// Returns the relationships whose two ends are both in $ids, optionally only of $types.
// mode: read
// params: $ids, $types
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids AND ($types IS NULL OR type(r) IN $types)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
