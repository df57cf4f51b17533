// Returns the shortest chains between the entities $source and $target (ties read both ways)
// as one row: count, the number of distinct chains (as lists of ids), and paths, the first
// $limit of them in the order of their ids. Only through relationships whose type is in
// $types (null: any); with $actors_only only through Person, Organisation and Network; with
// $upward only steps from an entity with a known admin_level (its place in $levels, top
// down) to one at the same or a higher level. No row when either end does not exist; count
// 0 when there is no chain. $source and $target differ (the caller answers a chain of one).
// mode: read
// params: $source, $target, $types, $actors_only, $upward, $levels, $limit
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
OPTIONAL MATCH p = allShortestPaths((s)-[*]-(t))
WHERE all(r IN relationships(p) WHERE $types IS NULL OR type(r) IN $types)
  AND all(n IN nodes(p) WHERE NOT $actors_only OR n:Person OR n:Organisation OR n:Network)
  AND (NOT $upward OR all(i IN range(0, length(p) - 1) WHERE
        [k IN range(0, size($levels) - 1) WHERE $levels[k] = nodes(p)[i + 1].admin_level][0]
        <= [k IN range(0, size($levels) - 1) WHERE $levels[k] = nodes(p)[i].admin_level][0]))
WITH DISTINCT CASE WHEN p IS NULL THEN null ELSE [n IN nodes(p) | n.id] END AS ids
ORDER BY ids
WITH collect(ids) AS chains
RETURN size(chains) AS count, chains[..$limit] AS paths
