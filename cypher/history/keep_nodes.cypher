// Keeps the stored version of each entity in $ids as a closed version: a :NodeVersion
// node with its properties, its kind and the day it stopped holding ($at).
// mode: write
// params: $ids, $at
UNWIND $ids AS id
MATCH (n:Entity {id: id})
CREATE (v:NodeVersion)
SET v = properties(n), v._kind = [l IN labels(n) WHERE l <> 'Entity'][0], v._rec_to = $at
