// Returns, each as one list, the ids of the entities and the keys of the relationships a
// snapshot may end: every entity but an Area, every relationship but an Area's PART_OF
// another Area (places stay).
// mode: read
// params: none
OPTIONAL MATCH (n:Entity) WHERE NOT n:Area
WITH collect(n.id) AS ids
OPTIONAL MATCH (a:Entity)-[r]->(b:Entity)
  WHERE NOT (type(r) = 'PART_OF' AND a:Area AND b:Area)
RETURN ids, collect(r.key) AS keys
