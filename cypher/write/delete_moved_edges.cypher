// Deletes relationships whose own id (key) now names other ends or another type, so the
// upsert that follows recreates them where the data says; returns how many moved.
// mode: write
// params: $rows  (each {key, source, type, target})
UNWIND $rows AS row
MATCH (a:Entity)-[r {key: row.key}]->(b:Entity)
WHERE a.id <> row.source OR b.id <> row.target OR type(r) <> row.type
DELETE r
RETURN count(*) AS moved
