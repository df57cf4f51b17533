// Deletes relationships whose own id (key) now names other ends or another type, so the
// upsert that follows recreates them where the data says; each is kept first as a closed
// version (:EdgeVersion, closed on $at). Returns how many moved.
// One scan of the relationships per import, and only when the data has relationship ids.
// mode: write
// params: $ends, $at  (map: key -> [source, type, target])
MATCH (a:Entity)-[r]->(b:Entity)
WHERE $ends[r.key] IS NOT NULL AND $ends[r.key] <> [a.id, type(r), b.id]
CREATE (v:EdgeVersion)
SET v = properties(r), v._source = a.id, v._type = type(r), v._target = b.id, v._rec_to = $at
DELETE r
RETURN count(*) AS moved
