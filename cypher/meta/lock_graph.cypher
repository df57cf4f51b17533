// Takes the graph's write lock (held to the end of the transaction) by writing to its
// metadata node, so that concurrent imports run one after the other, as in the embedded
// store; returns the version before the write.
// mode: write
// params: none
MERGE (m:GraphMeta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.last_write = datetime()
RETURN m.version AS version
