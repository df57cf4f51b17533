// Returns the breadth-first distance from the entity $start to every other entity within
// $depth steps (ties read both ways), only through relationships whose type is in $types
// and entities whose kind is in $kinds (null: any; the start itself is always in): one row
// holding the start's id and a list of [id, distance], one per entity reached, nearest
// first (ties by id) and at most $limit of them (null: all); no row when $start does not
// exist (the caller adds the start at distance 0). One row, not one per entity: the driver
// decodes a list in one go, each record costs it Python work.
// The whole search is this one statement: min(length(p)) per end lets Neo4j plan it as a
// pruning breadth-first expand (VarLengthExpand(Pruning,BFS)), each entity visited once.
// mode: read
// params: $start, $types, $kinds, $limit
// bound: $depth
MATCH (s:Entity {id: $start})
OPTIONAL MATCH p = (s)-[*1..$depth]-(m:Entity)
WHERE m <> s
  AND all(r IN relationships(p) WHERE $types IS NULL OR type(r) IN $types)
  AND all(n IN nodes(p) WHERE n = s OR $kinds IS NULL
                              OR any(label IN labels(n) WHERE label IN $kinds))
WITH s, m, min(length(p)) AS distance
ORDER BY distance, m.id
WITH s, collect(CASE WHEN m IS NOT NULL THEN [m.id, distance] END) AS reached
RETURN s.id AS start, reached[..coalesce($limit, size(reached))] AS reached
