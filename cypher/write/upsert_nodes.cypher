// Upserts a batch of entities by id (properties merged, kind label set); returns how many
// were created and how many changed.
// mode: write
// params: $rows  (each {id, kind, props})
UNWIND $rows AS row
OPTIONAL MATCH (old:Entity {id: row.id})
WITH row, old IS NULL AS created, properties(old) AS before
MERGE (n:Entity {id: row.id})
SET n += row.props
WITH n, row, created, before, [l IN labels(n) WHERE l <> 'Entity' AND l <> row.kind] AS stale
REMOVE n:$(stale)
SET n:$(row.kind)
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND (before <> properties(n) OR size(stale) > 0)
                THEN 1 ELSE 0 END) AS updated
