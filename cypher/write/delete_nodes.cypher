// Deletes the entities whose id is in $ids together with every relationship they have,
// each kept first as a closed version (:NodeVersion, :EdgeVersion, closed on $at);
// returns how many entities and how many relationships went (each relationship once).
// mode: write
// params: $ids, $at
UNWIND $ids AS id
MATCH (n:Entity {id: id})
OPTIONAL MATCH (n)-[r]-()
WITH collect(DISTINCT n) AS entities, collect(DISTINCT r) AS relationships
FOREACH (r IN relationships |
  CREATE (v:EdgeVersion)
  SET v = properties(r), v._source = startNode(r).id, v._type = type(r),
      v._target = endNode(r).id, v._rec_to = $at)
FOREACH (n IN entities |
  CREATE (v:NodeVersion)
  SET v = properties(n), v._kind = [l IN labels(n) WHERE l <> 'Entity'][0], v._rec_to = $at)
FOREACH (r IN relationships | DELETE r)
FOREACH (n IN entities | DELETE n)
RETURN size(entities) AS nodes, size(relationships) AS relationships
