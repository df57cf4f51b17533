// Upserts a batch of relationships by key between existing entities (properties merged);
// returns how many rows found both ends, how many were created and how many changed.
// mode: write
// params: $rows  (each {source, type, target, key, props})
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
OPTIONAL MATCH (a)-[old:$(row.type) {key: row.key}]->(b)
WITH a, b, row, old IS NULL AS created, properties(old) AS before
MERGE (a)-[r:$(row.type) {key: row.key}]->(b)
SET r += row.props
RETURN count(*) AS matched,
       sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND before <> properties(r) THEN 1 ELSE 0 END) AS updated
