// Records that the entities' search keys (name_key) are of normalise_name's version $version.
// mode: write
// params: $version
MERGE (m:GraphMeta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.name_keys = $version
