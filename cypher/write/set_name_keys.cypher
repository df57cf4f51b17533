// Sets the search key of each entity in $rows ({id, name_key}).
// mode: write
// params: $rows
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
SET n.name_key = row.name_key
