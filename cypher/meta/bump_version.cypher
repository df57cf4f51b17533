// Adds $delta to the graph's version (created at 0 on first use); returns the new version.
// mode: write
// params: $delta
MERGE (m:GraphMeta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.version = m.version + $delta
RETURN m.version AS version
