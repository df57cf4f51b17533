// Indexes the closed versions of entities by the entity's id (show --history).
// mode: schema
// params: none
CREATE INDEX node_version_id IF NOT EXISTS FOR (v:NodeVersion) ON (v.id)
