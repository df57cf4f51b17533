// Makes Strategy.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT strategy_id IF NOT EXISTS FOR (n:Strategy) REQUIRE n.id IS UNIQUE
