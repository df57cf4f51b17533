// Makes Practice.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT practice_id IF NOT EXISTS FOR (n:Practice) REQUIRE n.id IS UNIQUE
