// Returns, as one list, the current versions of the entities among $ids recorded by $day.
// mode: read
// params: $ids, $day
UNWIND $ids AS id
MATCH (n:Entity {id: id})
  WHERE n._rec_from IS NULL OR n._rec_from <= $day
RETURN collect({id: n.id, kind: [l IN labels(n) WHERE l <> 'Entity'][0],
                props: properties(n)}) AS nodes
