// Returns the source, type and target (no properties) of every relationship between
// entities whose kinds are in $kinds (null: any kind), optionally only of the types in
// $types (null: every type).
// mode: read
// params: $kinds, $types
MATCH (a:Entity)-[r]->(b:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($kinds IS NULL OR ([l IN labels(a) WHERE l <> 'Entity'][0] IN $kinds
                         AND [l IN labels(b) WHERE l <> 'Entity'][0] IN $kinds))
RETURN a.id AS source, type(r) AS type, b.id AS target
