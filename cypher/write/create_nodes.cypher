// Creates a batch of entities that do not exist yet (write/existing_ids said so, under the
// graph lock): each with its kind label and exactly row.props; returns how many. No
// look-up per row: the uniqueness constraints on id still refuse a duplicate.
// mode: write
// params: $rows  (rows: each {id, kind, props}, ids unique)
UNWIND $rows AS row
CREATE (n:Entity:$(row.kind))
SET n = row.props, n.id = row.id
RETURN count(n) AS created
