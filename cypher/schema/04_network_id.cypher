// Makes Network.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT network_id IF NOT EXISTS FOR (n:Network) REQUIRE n.id IS UNIQUE
