// Upserts a batch of entities by id (kind label set); properties are merged, or with
// $replace become exactly row.props (absent ones removed). Returns how many were created
// and how many changed.
// mode: write
// params: $rows, $replace  (rows: each {id, kind, props})
UNWIND $rows AS row
OPTIONAL MATCH (old:Entity {id: row.id})
WITH row, old IS NULL AS created, properties(old) AS before
MERGE (n:Entity {id: row.id})
FOREACH (_ IN CASE WHEN $replace THEN [1] ELSE [] END | SET n = row.props, n.id = row.id)
SET n += row.props
WITH n, row, created, before, [l IN labels(n) WHERE l <> 'Entity' AND l <> row.kind] AS stale
REMOVE n:$(stale)
SET n:$(row.kind)
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND (before <> properties(n) OR size(stale) > 0)
                THEN 1 ELSE 0 END) AS updated
