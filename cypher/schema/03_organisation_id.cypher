// Makes Organisation.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (n:Organisation) REQUIRE n.id IS UNIQUE
