// Makes OutcomeChallenge.id unique (and indexed), so lookups by kind and id are fast (issue 15).
// mode: schema
// params: none
CREATE CONSTRAINT outcome_challenge_id IF NOT EXISTS FOR (n:OutcomeChallenge) REQUIRE n.id IS UNIQUE
