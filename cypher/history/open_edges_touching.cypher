// Returns, as one list, the current relationships that start or end at any of $ids and
// were recorded by $day (each once).
// mode: read
// params: $ids, $day
UNWIND $ids AS id
MATCH (:Entity {id: id})-[r]-(:Entity)
  WHERE r._rec_from IS NULL OR r._rec_from <= $day
WITH DISTINCT r
RETURN collect({source: startNode(r).id, type: type(r), target: endNode(r).id,
                props: properties(r)}) AS edges
