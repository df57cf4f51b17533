// Makes Area.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT area_id IF NOT EXISTS FOR (n:Area) REQUIRE n.id IS UNIQUE
