// Makes ProgressMarker.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT progress_marker_id IF NOT EXISTS FOR (n:ProgressMarker) REQUIRE n.id IS UNIQUE
