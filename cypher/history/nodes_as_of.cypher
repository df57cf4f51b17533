// Returns the entities as of $day (ISO text): open versions recorded by then, and closed
// versions recorded by then and closed after it, as lists in one row.
// mode: read
// params: $day
OPTIONAL MATCH (n:Entity) WHERE n._rec_from IS NULL OR n._rec_from <= $day
WITH collect(n.id) AS ids, collect([l IN labels(n) WHERE l <> 'Entity'][0]) AS kinds,
     collect(properties(n)) AS props
OPTIONAL MATCH (v:NodeVersion)
  WHERE (v._rec_from IS NULL OR v._rec_from <= $day) AND v._rec_to > $day
RETURN ids, kinds, props, collect(v.id) AS old_ids, collect(v._kind) AS old_kinds,
       collect(properties(v)) AS old_props
