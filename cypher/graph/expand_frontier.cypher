// Returns the distinct ids one step from any of $ids, ties read both ways, optionally only
// through relationships whose type is in $types (null: every type).
// mode: read
// params: $ids, $types
UNWIND $ids AS id
MATCH (n:Entity {id: id})-[r]-(m:Entity)
WHERE $types IS NULL OR type(r) IN $types
RETURN DISTINCT m.id AS id
