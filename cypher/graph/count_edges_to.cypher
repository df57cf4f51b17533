// Returns how many relationships end at the entity $target, optionally only of type $type
// (null: any): the total of graph/find_edges_to.
// mode: read
// params: $type, $target
MATCH (:Entity)-[r]->(:Entity {id: $target})
WHERE $type IS NULL OR type(r) = $type
RETURN count(r) AS count
