// Returns, as one list, the closed versions of relationships that start or end at any of
// $ids and held on $day (each once; found by the indexes on their ends).
// mode: read
// params: $ids, $day
UNWIND $ids AS id
CALL (id) {
  MATCH (v:EdgeVersion {_source: id}) RETURN v
  UNION
  MATCH (v:EdgeVersion {_target: id}) RETURN v
}
WITH DISTINCT v
  WHERE (v._rec_from IS NULL OR v._rec_from <= $day) AND v._rec_to > $day
RETURN collect({source: v._source, type: v._type, target: v._target,
                props: properties(v)}) AS edges
