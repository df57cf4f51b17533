// Returns how many relationships start or end at the entity $id (each once): the total of
// graph/edges_of.
// mode: read
// params: $id
MATCH (n:Entity {id: $id})-[r]-(:Entity)
RETURN count(DISTINCT r) AS count
