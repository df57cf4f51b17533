// Returns the newest day a write was recorded on (null when none).
// mode: read
// params: none
OPTIONAL MATCH (m:GraphMeta {id: 'graph'})
RETURN m.rec_last AS last
