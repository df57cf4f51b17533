// Returns the relationships that end at the entity $target, optionally only of type $type
// (null: any).
// mode: read
// params: $type, $target
MATCH (a:Entity)-[r]->(b:Entity {id: $target})
WHERE $type IS NULL OR type(r) = $type
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
