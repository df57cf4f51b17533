// Returns, as one list, the relationships among $rows that exist (same ends, type and key):
// key and every stored property (found from an index seek on the source, as
// write/upsert_edges does).
// mode: read
// params: $rows  (rows: each {source, type, target, key})
UNWIND $rows AS row
MATCH (x:Entity {id: row.source})-[old]->(y:Entity {id: row.target})
  USING INDEX x:Entity(id)
  WHERE type(old) = row.type AND old.key = row.key
RETURN collect({key: row.key, props: properties(old)}) AS edges
