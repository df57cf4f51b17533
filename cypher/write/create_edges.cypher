// Creates a batch of relationships that cannot exist yet (their source was created in the
// same write): each between existing entities, with exactly row.props and its key. Returns
// how many rows found both ends (each such row created one relationship).
// mode: write
// params: $rows  (rows: each {source, type, target, key, props}, keys unique)
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props, r.key = row.key
RETURN count(r) AS matched
