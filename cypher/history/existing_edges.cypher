// Returns, as one list, the relationships among $rows that exist (same ends, type and key):
// key and every stored property (both ends found by an index seek, pinned by the hints:
// a plan cached while the graph was small expanded every row's neighbours, minutes for
// 50,000 rows).
// mode: read
// params: $rows  (rows: each {source, type, target, key})
UNWIND $rows AS row
MATCH (x:Entity {id: row.source})-[old]->(y:Entity {id: row.target})
  USING INDEX x:Entity(id)
  USING INDEX y:Entity(id)
  WHERE type(old) = row.type AND old.key = row.key
RETURN collect({key: row.key, props: properties(old)}) AS edges
