// Upserts a batch of relationships by key between existing entities; properties are merged,
// or with $replace become exactly row.props (absent ones removed). Returns how many rows
// found both ends, how many were created and how many changed.
// The existing relationship is found from an index seek on its source (the hint pins the
// plan): MERGE, or a match between the bound ends, with a dynamic type was planned on
// 5.26.26 as a scan of every relationship for each row once the graph grew.
// Concurrent writers are serialised by meta/lock_graph, taken first in every write.
// mode: write
// params: $rows, $replace  (rows: each {source, type, target, key, props}, keys unique)
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
OPTIONAL MATCH (x:Entity {id: row.source})-[old]->(y:Entity {id: row.target})
  USING INDEX x:Entity(id)
  WHERE type(old) = row.type AND old.key = row.key
WITH a, b, row, old, properties(old) AS before
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:$(row.type)]->(b)
  SET r = row.props, r.key = row.key)
FOREACH (_ IN CASE WHEN $replace AND old IS NOT NULL THEN [1] ELSE [] END |
  SET old = row.props, old.key = row.key)
SET old += row.props
RETURN count(*) AS matched,
       sum(CASE WHEN old IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN old IS NOT NULL AND before <> properties(old) THEN 1 ELSE 0 END)
         AS updated
