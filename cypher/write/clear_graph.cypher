// Deletes every entity and its relationships (the version is kept, and then bumped).
// mode: write
// params: none
MATCH (n:Entity)
DETACH DELETE n
