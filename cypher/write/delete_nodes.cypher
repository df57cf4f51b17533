// Deletes the entities whose id is in $ids together with every relationship they have;
// returns how many entities and how many relationships went (each relationship once).
// mode: write
// params: $ids
UNWIND $ids AS id
MATCH (n:Entity {id: id})
OPTIONAL MATCH (n)-[r]-()
WITH collect(DISTINCT n) AS entities, collect(DISTINCT r) AS relationships
FOREACH (r IN relationships | DELETE r)
FOREACH (n IN entities | DELETE n)
RETURN size(entities) AS nodes, size(relationships) AS relationships
