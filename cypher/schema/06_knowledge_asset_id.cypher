// Makes KnowledgeAsset.id unique (and indexed), so lookups by kind and id are fast.
// mode: schema
// params: none
CREATE CONSTRAINT knowledge_asset_id IF NOT EXISTS FOR (n:KnowledgeAsset) REQUIRE n.id IS UNIQUE
