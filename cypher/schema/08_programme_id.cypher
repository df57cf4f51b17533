// Makes Programme.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT programme_id IF NOT EXISTS FOR (n:Programme) REQUIRE n.id IS UNIQUE
