// Returns every relationship that starts or ends at the entity $id.
// mode: read
// params: $id
MATCH (n:Entity {id: $id})-[r]-(m:Entity)
RETURN startNode(r).id AS source, type(r) AS type, endNode(r).id AS target,
       properties(r) AS props
