// Returns, as one list, the closed versions of the entities among $ids that held on $day.
// mode: read
// params: $ids, $day
UNWIND $ids AS id
MATCH (v:NodeVersion {id: id})
  WHERE (v._rec_from IS NULL OR v._rec_from <= $day) AND v._rec_to > $day
RETURN collect({id: v.id, kind: v._kind, props: properties(v)}) AS nodes
