// Deletes the relationships whose key is in $keys; returns how many went.
// One scan of the relationships (a key is a property of relationships of any type).
// mode: write
// params: $keys
MATCH (:Entity)-[r]->(:Entity)
WHERE r.key IN $keys
DELETE r
RETURN count(r) AS deleted
