// Deletes the relationships whose key is in $keys, each kept first as a closed version
// (:EdgeVersion, closed on $at); returns how many went.
// One scan of the relationships (a key is a property of relationships of any type).
// mode: write
// params: $keys, $at
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.key IN $keys
CREATE (v:EdgeVersion)
SET v = properties(r), v._source = a.id, v._type = type(r), v._target = b.id, v._rec_to = $at
DELETE r
RETURN count(r) AS deleted
