// One breadth-first step of reach: the distinct entities one step from any id in $frontier
// (ties read both ways), only through relationships whose type is in $types and only onto
// entities whose kind is in $kinds (null: any). The caller drops the ids it has seen.
// mode: read
// params: $frontier, $types, $kinds
UNWIND $frontier AS id
MATCH (n:Entity {id: id})-[r]-(m:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($kinds IS NULL OR any(label IN labels(m) WHERE label IN $kinds))
RETURN DISTINCT m.id AS id
