// Returns the neighbourhood of the entity $start: the entities within $depth steps (ties
// read both ways, only through relationships whose type is in $types; null: any), the start
// included, nearest first (ties by id) and at most $limit of them (null: all), as one row
// holding a list of maps: id, kind, properties, breadth-first distance (0 for the start)
// and the relationships from it to another entity of the neighbourhood (an empty list when
// $start does not exist). One round trip for a map's whole focus, one record for the
// driver to decode.
// mode: read
// params: $start, $types, $limit
// bound: $depth
MATCH (s:Entity {id: $start})
OPTIONAL MATCH p = (s)-[*1..$depth]-(m:Entity)
WHERE m <> s AND all(r IN relationships(p) WHERE $types IS NULL OR type(r) IN $types)
WITH s, m, min(length(p)) AS distance
ORDER BY distance, m.id
WITH s, collect({node: m, distance: distance}) AS reached
WITH [{node: s, distance: 0}] + [x IN reached WHERE x.node IS NOT NULL] AS everyone
WITH everyone[..coalesce($limit, size(everyone))] AS found
WITH found, [x IN found | x.node] AS members
UNWIND found AS x
WITH members, x.node AS a, x.distance AS distance
CALL (a, members) {
  OPTIONAL MATCH (a)-[r]->(b:Entity)
  WHERE b IN members AND ($types IS NULL OR type(r) IN $types)
  RETURN collect({source: a.id, type: type(r), target: b.id, props: properties(r)}) AS edges
}
RETURN collect({id: a.id, kind: [l IN labels(a) WHERE l <> 'Entity'][0],
                props: properties(a), distance: distance,
                edges: [e IN edges WHERE e.type IS NOT NULL]}) AS nodes
