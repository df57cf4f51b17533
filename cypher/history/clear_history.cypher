// Deletes every closed version and the newest recorded day (forget everything).
// mode: write
// params: none
OPTIONAL MATCH (v) WHERE v:NodeVersion OR v:EdgeVersion
DETACH DELETE v
WITH count(*) AS gone
MATCH (m:GraphMeta {id: 'graph'})
REMOVE m.rec_last
