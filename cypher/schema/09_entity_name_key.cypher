// Indexes the normalised name used to find an entity by how a user writes its name.
// mode: schema
// params: none
CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.name_key)
