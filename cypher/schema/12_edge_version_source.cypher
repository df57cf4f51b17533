// Indexes the closed versions of relationships by their source (show --history).
// mode: schema
// params: none
CREATE INDEX edge_version_source IF NOT EXISTS FOR (v:EdgeVersion) ON (v._source)
