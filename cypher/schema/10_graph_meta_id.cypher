// Makes the graph's metadata node (it holds the version) unique.
// mode: schema
// params: none
CREATE CONSTRAINT graph_meta_id IF NOT EXISTS FOR (m:GraphMeta) REQUIRE m.id IS UNIQUE
