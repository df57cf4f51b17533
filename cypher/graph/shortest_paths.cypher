// Returns the shortest chains between the entities $source and $target (ties read both ways)
// as one row: count, the number of distinct chains (as lists of ids), and paths, the first
// $limit of them in the order of their ids. Only through relationships whose type is in
// $types (null: any); with $actors_only only through Person, Organisation and Network. Both
// are predicates on every relationship or every node of the path, which Neo4j applies
// while it searches (no exhaustive fallback). No row when either end does not exist; count
// 0 when there is no chain. $source and $target differ (the caller answers a chain of one).
// mode: read
// params: $source, $target, $types, $actors_only, $limit
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
OPTIONAL MATCH p = allShortestPaths((s)-[*]-(t))
WHERE all(r IN relationships(p) WHERE $types IS NULL OR type(r) IN $types)
  AND all(n IN nodes(p) WHERE NOT $actors_only OR n:Person OR n:Organisation OR n:Network)
WITH DISTINCT CASE WHEN p IS NULL THEN null ELSE [n IN nodes(p) | n.id] END AS ids
ORDER BY ids
WITH collect(ids) AS chains
RETURN size(chains) AS count, chains[..$limit] AS paths
