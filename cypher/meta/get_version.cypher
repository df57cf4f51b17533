// Returns the graph's version (0 for a graph never written).
// mode: read
// params: none
OPTIONAL MATCH (m:GraphMeta {id: 'graph'})
RETURN coalesce(m.version, 0) AS version
