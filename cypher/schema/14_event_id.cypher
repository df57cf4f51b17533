// Makes Event.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE
