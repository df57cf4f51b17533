// Makes Fund.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT fund_id IF NOT EXISTS FOR (n:Fund) REQUIRE n.id IS UNIQUE
