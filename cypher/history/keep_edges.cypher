// Keeps the stored version of each relationship in $rows as a closed version: an
// :EdgeVersion node with its properties, ends, type and the day it stopped holding ($at).
// mode: write
// params: $rows, $at  (rows: each {source, type, target, key})
UNWIND $rows AS row
MATCH (x:Entity {id: row.source})-[old]->(y:Entity {id: row.target})
  USING INDEX x:Entity(id)
  USING INDEX y:Entity(id)
  WHERE type(old) = row.type AND old.key = row.key
CREATE (v:EdgeVersion)
SET v = properties(old), v._source = row.source, v._type = row.type,
    v._target = row.target, v._rec_to = $at
