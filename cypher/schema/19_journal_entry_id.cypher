// Makes JournalEntry.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT journal_entry_id IF NOT EXISTS FOR (n:JournalEntry) REQUIRE n.id IS UNIQUE
