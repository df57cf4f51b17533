// Returns the relationships whose key is in $keys.
// One scan of the relationships (a key is a property of relationships of any type).
// mode: read
// params: $keys
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.key IN $keys
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
