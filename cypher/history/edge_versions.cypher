// Returns every version of each relationship that starts or ends at $id: the open ones
// and the closed ones, each {source, type, target, props, rec_to}.
// mode: read
// params: $id
OPTIONAL MATCH (:Entity {id: $id})-[r]-(:Entity)
WITH [x IN collect(DISTINCT r) | {source: startNode(x).id, type: type(x),
                                  target: endNode(x).id, props: properties(x),
                                  rec_to: null}] AS open
OPTIONAL MATCH (v:EdgeVersion) WHERE v._source = $id OR v._target = $id
WITH open, collect(CASE WHEN v IS NULL THEN null
                           ELSE {source: v._source, type: v._type, target: v._target,
                                 props: properties(v), rec_to: v._rec_to}
                      END) AS closed
RETURN open + closed AS versions
