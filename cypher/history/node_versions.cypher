// Returns every version of the entity $id: the open one (rec_to null) and the closed ones.
// mode: read
// params: $id
OPTIONAL MATCH (n:Entity {id: $id})
WITH [x IN collect(n) | {kind: [l IN labels(x) WHERE l <> 'Entity'][0],
                         props: properties(x), rec_to: null}] AS open
OPTIONAL MATCH (v:NodeVersion {id: $id})
WITH open, collect(CASE WHEN v IS NULL THEN null
                           ELSE {kind: v._kind, props: properties(v), rec_to: v._rec_to}
                      END) AS closed
RETURN open + closed AS versions
