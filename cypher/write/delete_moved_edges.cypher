// Deletes relationships whose own id (key) now names other ends or another type, so the
// upsert that follows recreates them where the data says; returns how many moved.
// One scan of the relationships per import, and only when the data has relationship ids.
// mode: write
// params: $ends  (map: key -> [source, type, target])
MATCH (a:Entity)-[r]->(b:Entity)
WHERE $ends[r.key] IS NOT NULL AND $ends[r.key] <> [a.id, type(r), b.id]
DELETE r
RETURN count(*) AS moved
