// Returns the version of domain.normalise_name that made the entities' search keys
// (name_key): null when older than version 2 or never recorded.
// mode: read
// params: none
OPTIONAL MATCH (m:GraphMeta {id: 'graph'})
RETURN m.name_keys AS version
