// Returns, as one list, the entities among $ids that exist: id, kind and every stored
// property (the write compares them with the new values and keeps a changed one's old
// version, history/keep_nodes).
// mode: read
// params: $ids
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN collect({id: n.id, kind: [l IN labels(n) WHERE l <> 'Entity'][0],
                props: properties(n)}) AS nodes
