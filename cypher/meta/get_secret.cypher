// Returns the store's secret, kept on the graph's metadata node: set to $token by the first
// call and the same ever after. Run after meta/lock_graph, so two first calls at once agree.
// mode: write
// params: $token
MERGE (m:GraphMeta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.secret = coalesce(m.secret, $token)
RETURN m.secret AS secret
