// Returns the id and search key of every entity whose search key holds a space: the keys an
// older normalise_name may have made differently (spaces between Thai letters).
// mode: read
// params: none
MATCH (n:Entity)
WHERE n.name_key CONTAINS ' '
RETURN n.id AS id, n.name_key AS name_key
