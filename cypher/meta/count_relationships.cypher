// Returns the number of relationships of each type between entities.
// mode: read
// params: none
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, count(*) AS count
