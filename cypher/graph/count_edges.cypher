// Returns how many relationships there are, or of type $type (null: every type): the
// total of graph/find_edges.
// mode: read
// params: $type
MATCH (:Entity)-[r]->(:Entity)
WHERE $type IS NULL OR type(r) = $type
RETURN count(r) AS count
