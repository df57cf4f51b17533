// Makes Entity.id unique: every entity carries the label Entity, ids are unique across kinds,
// and MERGE behind this constraint cannot duplicate an entity under concurrent imports.
// mode: schema
// params: none
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE
