// Returns the relationships as of $day (ISO text), as history/nodes_as_of does the
// entities: open ones recorded by then, closed versions holding then.
// mode: read
// params: $day
OPTIONAL MATCH (a:Entity)-[r]->(b:Entity) WHERE r._rec_from IS NULL OR r._rec_from <= $day
WITH collect(a.id) AS sources, collect(type(r)) AS types, collect(b.id) AS targets,
     collect(properties(r)) AS props
OPTIONAL MATCH (v:EdgeVersion)
  WHERE (v._rec_from IS NULL OR v._rec_from <= $day) AND v._rec_to > $day
RETURN sources, types, targets, props, collect(v._source) AS old_sources,
       collect(v._type) AS old_types, collect(v._target) AS old_targets,
       collect(properties(v)) AS old_props
