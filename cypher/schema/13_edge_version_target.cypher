// Indexes the closed versions of relationships by their target (show --history).
// mode: schema
// params: none
CREATE INDEX edge_version_target IF NOT EXISTS FOR (v:EdgeVersion) ON (v._target)
